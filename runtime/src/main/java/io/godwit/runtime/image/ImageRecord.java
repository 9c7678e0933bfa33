package io.godwit.runtime.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/** images/FINGERPRINT/image.json: the persisted form of {@link ImageInfo}. */
record ImageRecord(String fingerprint, String alias, long sizeBytes, String importedAt) {

    static final String FILE = "image.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    static ImageRecord of(ImageInfo info) {
        return new ImageRecord(info.fingerprint(), info.alias(), info.sizeBytes(), info.importedAt().toString());
    }

    ImageInfo info() {
        return new ImageInfo(fingerprint, alias, sizeBytes, Instant.parse(importedAt));
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
