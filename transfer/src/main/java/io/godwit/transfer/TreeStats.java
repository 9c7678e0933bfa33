package io.godwit.transfer;

import java.time.Duration;

/**
 * files: entries in the source tree (all types); bytes: content bytes of its regular files;
 * bytesSent: content bytes actually sent; elapsed: wall time; filesSent: entries sent
 * (INCREMENTAL skips unchanged ones).
 */
public record TreeStats(long files, long bytes, long bytesSent, Duration elapsed, long filesSent) {
    /** Throughput of content actually sent, in bytes per second. */
    public double sendRate() {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 ? 0 : bytesSent / s;
    }
}
