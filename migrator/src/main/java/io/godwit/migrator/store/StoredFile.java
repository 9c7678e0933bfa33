package io.godwit.migrator.store;

import java.util.List;

/** One file of a checkpoint as the store keeps it: its path in the checkpoint, its size, and its chunks in order. */
public record StoredFile(String path, long size, List<String> chunks) {
    public StoredFile {
        chunks = List.copyOf(chunks);
    }
}
