package io.godwit.migrator.cluster;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * When the leader tries a failed failover again: while the container's member stays gone, up to
 * maxAttempts restores in all, the n-th retry firstBackoff x 2^(n-1) after the failure before it (a
 * restore that failed under load, or on a holder busy with a container of that name, often works a
 * little later). Pure; the times are the records' own (written by the leader that tried).
 */
record FailoverRetry(int maxAttempts, Duration firstBackoff) {
    static final FailoverRetry DEFAULT = new FailoverRetry(4, Duration.ofSeconds(5));

    /** How long after the failure of attempt number attemptsMade (1 = the claim) the next one starts. */
    Duration backoff(int attemptsMade) {
        return firstBackoff.multipliedBy(1L << Math.min(16, Math.max(0, attemptsMade - 1)));
    }

    /** Whether f is a failed failover due for another try at now. */
    boolean due(FailoverRecord f, Instant now) {
        if (!FailoverRecord.FAILED.equals(f.state()) || f.replica() == null || f.attempts() >= maxAttempts) {
            return false;
        }
        try {
            return !now.isBefore(Instant.parse(f.at()).plus(backoff(Math.max(1, f.attempts()))));
        } catch (DateTimeParseException | NullPointerException e) {
            return true;
        }
    }

    /** Whether f failed for good (no try is left). */
    boolean exhausted(FailoverRecord f) {
        return FailoverRecord.FAILED.equals(f.state()) && (f.replica() == null || f.attempts() >= maxAttempts);
    }
}
