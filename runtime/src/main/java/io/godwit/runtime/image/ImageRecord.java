package io.godwit.runtime.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * images/FINGERPRINT/image.json: the persisted form of {@link ImageInfo}. Records written before
 * images had several aliases carry only "alias"; they read as an image with that one alias.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
record ImageRecord(String fingerprint, String alias, List<String> aliases, long sizeBytes, String importedAt,
        ImageConfig config) {

    static final String FILE = "image.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    static ImageRecord of(ImageInfo info) {
        return new ImageRecord(info.fingerprint(), info.alias(), info.aliases(), info.sizeBytes(),
                info.importedAt().toString(), info.config());
    }

    ImageInfo info() {
        return new ImageInfo(fingerprint, alias, sizeBytes, Instant.parse(importedAt), aliases, config);
    }

    void write(Path imageDir) throws IOException {
        AtomicFiles.write(imageDir.resolve(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
    }

    static ImageRecord read(Path imageDir) throws IOException {
        Path file = imageDir.resolve(FILE);
        try {
            return JSON.readValue(file.toFile(), ImageRecord.class);
        } catch (IOException e) {
            throw new IOException("cannot read image record " + file + ": " + e.getMessage(), e);
        }
    }
}
