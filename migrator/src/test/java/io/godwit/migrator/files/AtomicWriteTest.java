package io.godwit.migrator.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write that fails leaves no temp file beside its target. */
class AtomicWriteTest {
    @TempDir
    Path dir;

    @Test
    void aFailedWriteLeavesNoTempFile() throws Exception {
        Files.createDirectories(dir.resolve("manifest.json").resolve("blocker"));
        assertThrows(IOException.class, () -> AtomicWrite.write(dir.resolve("manifest.json"), new byte[] {1}));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("manifest.json"), s.map(p -> p.getFileName().toString()).toList());
        }
    }
}
