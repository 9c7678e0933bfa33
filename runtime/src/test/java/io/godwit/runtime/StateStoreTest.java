package io.godwit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A state write that fails leaves the container directory as it was: no temp file behind. */
class StateStoreTest {
    @TempDir
    Path dir;

    @Test
    void aFailedWriteLeavesNoTempFile() throws Exception {
        StateStore store = new StateStore(dir);
        // state.json that cannot be replaced: a directory with something in it (as a full disk, the write fails)
        Files.createDirectories(dir.resolve(StateStore.STATE).resolve("blocker"));
        assertThrows(IOException.class, () -> store.writeAtomic(StateStore.STATE, "{}"));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(StateStore.STATE), s.map(p -> p.getFileName().toString()).toList());
        }
    }
}
