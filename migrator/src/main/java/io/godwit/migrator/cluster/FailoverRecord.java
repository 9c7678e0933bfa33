package io.godwit.migrator.cluster;

/**
 * What became of a failover container whose member's lease was gone (P/failover/NODE/NAME): the
 * leader's claim (state "restoring"), then "running" or "failed"; a failed one is tried again by the
 * leader, with backoff and a bound ({@link FailoverRetry}), while its member stays gone. Its presence
 * tells the member, if it comes back, that its own (fenced) copy must go, unless it failed (then no
 * copy runs elsewhere and no retry can start any more: the member keeps its own).
 *
 * @param node       the member it ran on
 * @param container  its name
 * @param to         the member restoring it
 * @param checkpoint the replica it was restored from
 * @param state      restoring, running or failed
 * @param leader     the member that claimed it
 * @param at         when (ISO-8601)
 * @param error      why it failed, or null
 * @param attempts   how many restores were tried (0 in records of older daemons: one)
 * @param replica    the replica entry the claim took (what a retry restores from), or null in older records
 */
public record FailoverRecord(String node, String container, String to, String checkpoint, String state, String leader,
        String at, String error, int attempts, ReplicaRecord replica) {
    public static final String RESTORING = "restoring";
    public static final String RUNNING = "running";
    public static final String FAILED = "failed";

    /** The first claim of the container r describes, by leader. */
    static FailoverRecord claim(ReplicaRecord r, String leader) {
        return new FailoverRecord(r.node(), r.container(), r.holder(), r.checkpoint(), RESTORING, leader,
                java.time.Instant.now().toString(), null, 1, r);
    }

    FailoverRecord with(String newState, String why) {
        return new FailoverRecord(node, container, to, checkpoint, newState, leader, java.time.Instant.now().toString(), why,
                attempts, replica);
    }

    /** The next try of a failed one, claimed by byLeader, from the same replica. */
    FailoverRecord retry(String byLeader) {
        return new FailoverRecord(node, container, to, checkpoint, RESTORING, byLeader, java.time.Instant.now().toString(),
                null, Math.max(1, attempts) + 1, replica);
    }
}
