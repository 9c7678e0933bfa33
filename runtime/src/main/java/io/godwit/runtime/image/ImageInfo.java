package io.godwit.runtime.image;

import java.time.Instant;
import java.util.List;

/**
 * One imported image: its content fingerprint (SHA-256 hex), its aliases (an image keeps every alias
 * it was imported or tagged under; {@code alias} is the first, or null), size, import time, and the
 * defaults of its OCI/Docker config (null for a plain root filesystem import).
 */
public record ImageInfo(String fingerprint, String alias, long sizeBytes, Instant importedAt, List<String> aliases,
        ImageConfig config) {

    public ImageInfo {
        aliases = aliases == null ? (alias == null ? List.of() : List.of(alias)) : List.copyOf(aliases);
        alias = aliases.isEmpty() ? null : aliases.get(0);
    }

    public ImageInfo(String fingerprint, String alias, long sizeBytes, Instant importedAt) {
        this(fingerprint, alias, sizeBytes, importedAt, null, null);
    }

    ImageInfo withAliases(List<String> newAliases) {
        return new ImageInfo(fingerprint, null, sizeBytes, importedAt, newAliases, config);
    }

    ImageInfo withConfig(ImageConfig newConfig) {
        return new ImageInfo(fingerprint, null, sizeBytes, importedAt, aliases, newConfig);
    }
}
