package io.godwit.runtime.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What a container rootfs was made from, kept as containerDir/rootfs.json so that the store can
 * re-open it (and re-mount it) after a daemon restart or a reboot.
 */
record RootfsRecord(String imageFingerprint, RootfsMode mode, String lowerDir) {

    static final String FILE = "rootfs.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    void write(Path containerDir) throws IOException {
        AtomicFiles.write(containerDir.resolve(FILE), JSON.writeValueAsBytes(this));
    }

    static RootfsRecord read(Path containerDir) throws IOException {
        Path file = containerDir.resolve(FILE);
        try {
            return JSON.readValue(file.toFile(), RootfsRecord.class);
        } catch (IOException e) {
            throw new IOException("cannot read the rootfs record " + file + ": " + e.getMessage(), e);
        }
    }
}
