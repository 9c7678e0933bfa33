package io.godwit.migrator.store;

/** What putting a checkpoint's images into the store did: its chunk list, and how much of it was new. */
public record IngestResult(StoreManifest manifest, long chunks, long newChunks, long newRawBytes, long storedBytes) {
}
