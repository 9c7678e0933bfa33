package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Images as people name them: a container's image is recorded by its 64-hex fingerprint, which
 * fills a row; listings show the image's first alias instead, else the short fingerprint.
 */
final class ImageNames {
    private final Map<String, List<String>> aliasesByFingerprint;

    ImageNames(Map<String, List<String>> aliasesByFingerprint) {
        this.aliasesByFingerprint = aliasesByFingerprint;
    }

    /** The daemon's images; none known (only short fingerprints shown) when it cannot list them. */
    static ImageNames of(DaemonClient client) throws IOException {
        Map<String, List<String>> m = new HashMap<>();
        ApiResponse r = client.send("GET", "/1.0/images", null);
        if (r.status() == 200) {
            for (JsonNode i : r.json()) {
                List<String> aliases = new java.util.ArrayList<>();
                i.path("aliases").forEach(a -> aliases.add(a.asText()));
                if (aliases.isEmpty() && i.path("alias").isTextual()) {
                    aliases.add(i.path("alias").asText());
                }
                m.put(i.path("fingerprint").asText(), aliases);
            }
        }
        return new ImageNames(m);
    }

    /** What a listing shows for image (a fingerprint, or an alias as older records have it). */
    String shown(String image) {
        if (image == null || image.isEmpty()) {
            return "-";
        }
        List<String> aliases = aliasesByFingerprint.get(image);
        if (aliases != null && !aliases.isEmpty()) {
            return aliases.get(0);
        }
        return image.matches("[0-9a-f]{64}") ? image.substring(0, 12) : image;
    }

    /** Whether image is the one named: one of its aliases, or a prefix of its fingerprint. */
    boolean named(String image, String name) {
        if (image == null) {
            return false;
        }
        if (image.equals(name) || (name.length() >= 4 && image.startsWith(name))) {
            return true;
        }
        List<String> aliases = aliasesByFingerprint.get(image);
        return aliases != null && aliases.contains(name);
    }
}
