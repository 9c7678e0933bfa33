package io.godwit.migrator.store;

import java.io.IOException;

/** A chunk that is missing, or whose bytes no longer match its name: never used, always named. */
public final class ChunkDamagedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String chunk;
    private final String detail;

    public ChunkDamagedException(String chunk, String detail) {
        super("chunk " + chunk + " " + detail);
        this.chunk = chunk;
        this.detail = detail;
    }

    public String chunk() {
        return chunk;
    }

    /** The same damage, saying which file of the checkpoint needed the chunk. */
    ChunkDamagedException inFile(String path) {
        return new ChunkDamagedException(chunk, "(of " + path + ") " + detail);
    }
}
