package io.godwit.migrator.store;

/** What one garbage collection found in use and removed. */
public record GcResult(long live, long removed, long removedBytes, long tempFiles) {
}
