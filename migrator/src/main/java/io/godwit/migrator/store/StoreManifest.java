package io.godwit.migrator.store;

import java.util.List;

/**
 * chunks.json of a checkpoint: which chunks, in which order, make each of its image files. Every
 * chunk is {@code chunkSize} bytes but the last of a file. {@code naming} says how chunks are
 * named ("sha256", or "hmac-sha256" in an encrypted store, whose names only that store's key
 * reproduces).
 */
public record StoreManifest(int format, int chunkSize, String naming, List<StoredFile> files) {
    public static final int FORMAT = 1;
    public static final String FILE = "chunks.json";

    public StoreManifest {
        files = List.copyOf(files);
    }

    /** Bytes of the files, as CRIU wrote them. */
    public long size() {
        return files.stream().mapToLong(StoredFile::size).sum();
    }

    /** Length of chunk {@code index} of a file of {@code size} bytes. */
    public int lengthOf(long size, int index) {
        return (int) Math.min(chunkSize, size - (long) index * chunkSize);
    }
}
