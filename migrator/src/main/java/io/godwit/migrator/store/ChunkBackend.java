package io.godwit.migrator.store;

import java.io.IOException;
import java.util.List;

/**
 * Where chunk files live: a directory on the daemon's disk ({@link FileChunks}) or a bucket of an
 * S3 object store ({@link S3Chunks}). A backend only keeps bytes under names: what the bytes are
 * (header, codec, seal) and whether they match their name is {@link ChunkStore}'s business, so a
 * chunk keeps its compression and encryption wherever it lives.
 */
interface ChunkBackend extends AutoCloseable {
    /** Where the chunks are, for messages: a directory, or s3://bucket/prefix at an endpoint. */
    String describe();

    /** How many requests are worth running at once (disk: the cores; S3: more, each waits on the network). */
    int parallelism();

    /** Whether reading a chunk back costs less than hashing it (a file in the page cache: yes; a request to S3: no). */
    default boolean cheapReads() {
        return false;
    }

    /** Whether the chunk is there (disk: a stat; S3: the names listed at open and since written). */
    boolean contains(String name);

    /** Stores the chunk file; after a crash it is there whole or not at all. */
    void put(String name, byte[] body) throws IOException;

    /** The chunk file's bytes, or null when there is no such chunk. */
    byte[] get(String name) throws IOException;

    /** Every stored chunk, and every leftover of a write cut short (which GC removes), with their sizes. */
    List<Entry> list() throws IOException;

    /** Removes chunks or leftovers; a name already gone is no error. */
    void delete(List<Entry> entries) throws IOException;

    /** A chunk file, or a leftover of a write cut short ({@code leftover}: never a chunk anyone reads). */
    record Entry(String name, long size, boolean leftover) {
    }

    @Override
    default void close() {
    }

    /** A chunk name as the store makes them: hex digits only, so it is safe in a path or an object key. */
    static String checkName(String name) {
        if (name.length() < 8 || !name.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException("not a chunk name: " + name);
        }
        return name;
    }
}
