package io.godwit.migrator.catalog;

import java.time.Instant;

/** A finished (or interrupted) operation, kept so that `godwit operations` shows history across restarts. */
public record OperationRecord(String id, String kind, String target, String status, Instant createdAt,
        Instant finishedAt, String error, String resultJson) {
}
