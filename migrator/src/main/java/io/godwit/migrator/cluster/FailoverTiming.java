package io.godwit.migrator.cluster;

import java.time.Duration;

/**
 * The timings that keep a failover job from ever running twice (docs/CLUSTER.md, "Timing"), and
 * the two decisions made from them. Pure: every clock reading is passed in (System.nanoTime of the
 * one daemon that decides, so no two clocks are ever compared).
 *
 * <p>Let s be when a member sent its last renewal that etcd acknowledged. etcd keeps the lease at
 * least {@code lease} after it processed that renewal (after s), so the member's key is gone no
 * earlier than s + lease; the leader acts only after it has seen the key gone for {@code failover}
 * (T2), so a restore elsewhere starts after s + lease + T2. The member itself freezes its failover
 * containers once T1 ({@code fence}) has passed since s, and kills what is not frozen within
 * {@code freeze} (F): by s + T1 + F nothing of it runs. Safe when T1 + F < lease + T2, with margin
 * for clocks that run at slightly different rates and for pauses of the daemon.
 *
 * @param lease    the member lease's time to live
 * @param fence    T1: no renewal acknowledged for this long, and the member fences itself
 * @param freeze   F: how long a freeze may take before the container is killed instead
 * @param failover T2: how long the leader waits after it saw a member's key gone
 */
public record FailoverTiming(Duration lease, Duration fence, Duration freeze, Duration failover) {
    /** F: the cgroup freezer answers in milliseconds; past this the container is SIGKILLed. */
    public static final Duration FREEZE_BOUND = Duration.ofSeconds(2);
    /** Margin asked on top of T1 + F < lease + T2: clock rates, GC and scheduling pauses. */
    static final double MARGIN = 1.25;

    /** Refuses timings that could let a job run twice, saying which rule they break. */
    public FailoverTiming check() {
        if (fence.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("fenceSeconds must be at least 1 (renewals are sent every few seconds;"
                    + " a shorter one fences on every slow round)");
        }
        if (fence.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("fenceSeconds (" + secs(fence) + ") must be shorter than the lease ("
                    + secs(lease) + "): a member must freeze its failover containers before its key can go");
        }
        if (failover.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("failoverSeconds must be at least 1");
        }
        if ((fence.toMillis() + freeze.toMillis()) * MARGIN >= lease.toMillis() + failover.toMillis()) {
            throw new IllegalArgumentException("fenceSeconds + " + secs(freeze) + " s to freeze (" + secs(fence.plus(freeze))
                    + " s), with a quarter to spare, must be less than the lease + failoverSeconds ("
                    + secs(lease.plus(failover)) + " s): else a job could run on two members at once");
        }
        return this;
    }

    /** Whether a member whose last acknowledged renewal was sent at lastAck must fence itself at now. */
    public boolean mustFence(long lastAckNanos, long nowNanos) {
        return nowNanos - lastAckNanos > fence.toNanos();
    }

    /** Whether the leader, which first saw a member's key gone at goneSince, may fail it over at now. */
    public boolean mayFailOver(long goneSinceNanos, long nowNanos) {
        return nowNanos - goneSinceNanos >= failover.toNanos();
    }

    /** The latest instant (after s) a fenced member may still run anything, and the earliest a restore elsewhere starts. */
    public Duration stillRunsUntil() {
        return fence.plus(freeze);
    }

    public Duration restoresNotBefore() {
        return lease.plus(failover);
    }

    private static String secs(Duration d) {
        return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : String.valueOf(d.toMillis() / 1000.0);
    }
}
