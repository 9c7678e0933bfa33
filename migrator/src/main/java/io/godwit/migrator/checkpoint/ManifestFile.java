package io.godwit.migrator.checkpoint;

/** One file of a checkpoint: its path relative to the checkpoint directory, size and SHA-256. */
public record ManifestFile(String path, long size, String sha256) {
}
