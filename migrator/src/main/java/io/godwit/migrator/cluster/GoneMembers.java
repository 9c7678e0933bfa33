package io.godwit.migrator.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leader's memory of which members it has seen gone, and since when (its own monotonic clock),
 * and so which are due for failover. Pure. A member seen alive again is forgotten; a new leader
 * starts with nothing, so it waits the whole T2 itself: a change of leader only ever delays a
 * failover, never hastens one.
 */
final class GoneMembers {
    private final FailoverTiming timing;
    private final Map<String, Long> since = new HashMap<>();

    GoneMembers(FailoverTiming timing) {
        this.timing = timing;
    }

    /**
     * Looks at the fleet now: alive are the members whose key is present, watched the members that
     * have failover containers (replicas recorded). Returns the watched members gone for T2 or more.
     */
    List<String> due(Set<String> alive, Set<String> watched, long nowNanos) {
        since.keySet().removeIf(n -> alive.contains(n) || !watched.contains(n));
        List<String> out = new ArrayList<>();
        for (String n : watched.stream().sorted().toList()) {
            if (alive.contains(n)) {
                continue;
            }
            long first = since.computeIfAbsent(n, k -> nowNanos);
            if (timing.mayFailOver(first, nowNanos)) {
                out.add(n);
            }
        }
        return out;
    }

    /** Forgets everything (this daemon stopped leading). */
    void clear() {
        since.clear();
    }
}
