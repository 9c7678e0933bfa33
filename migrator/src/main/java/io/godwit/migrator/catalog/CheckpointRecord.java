package io.godwit.migrator.catalog;

import java.time.Instant;

/**
 * A checkpoint as the catalog knows it. WRITING rows found at start belong to a crashed dump.
 * {@code madeBy} says who asked for it: a schedule's retention prunes only what that schedule made.
 */
public record CheckpointRecord(String id, String container, Instant createdAt, State state, long sizeBytes,
        boolean leftRunning, String criuVersion, String kernel, MadeBy madeBy) {
    public enum State { WRITING, COMPLETE }

    /**
     * Who made it. A checkpoint whose maker is not known (made before this was recorded, or taken
     * back from its manifest after a catalog loss) counts as made by hand: no retention removes it.
     */
    public enum MadeBy {
        HAND, SCHEDULE;

        public String word() {
            return name().toLowerCase();
        }
    }
}
