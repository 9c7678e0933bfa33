package io.godwit.migrator.catalog;

import java.time.Instant;

/** Checkpoint a container every {@code everySeconds}, keeping the newest {@code keep}. */
public record ScheduleRecord(String container, long everySeconds, int keep, Instant lastRun, String lastError) {
}
