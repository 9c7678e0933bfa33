package io.godwit.migrator.catalog;

import java.time.Instant;

/** A checkpoint as the catalog knows it. WRITING rows found at start belong to a crashed dump. */
public record CheckpointRecord(String id, String container, Instant createdAt, State state, long sizeBytes,
        boolean leftRunning, String criuVersion, String kernel) {
    public enum State { WRITING, COMPLETE }
}
