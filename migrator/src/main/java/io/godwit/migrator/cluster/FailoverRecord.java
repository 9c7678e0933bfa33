package io.godwit.migrator.cluster;

/**
 * What became of a failover container whose member's lease was gone (P/failover/NODE/NAME): the
 * leader's claim (state "restoring"), then "running" or "failed". Its presence tells the member, if
 * it comes back, that its own (fenced) copy must go.
 *
 * @param node       the member it ran on
 * @param container  its name
 * @param to         the member restoring it
 * @param checkpoint the replica it was restored from
 * @param state      restoring, running or failed
 * @param leader     the member that claimed it
 * @param at         when (ISO-8601)
 * @param error      why it failed, or null
 */
public record FailoverRecord(String node, String container, String to, String checkpoint, String state, String leader,
        String at, String error) {
    public static final String RESTORING = "restoring";
    public static final String RUNNING = "running";
    public static final String FAILED = "failed";

    FailoverRecord with(String newState, String why) {
        return new FailoverRecord(node, container, to, checkpoint, newState, leader, java.time.Instant.now().toString(), why);
    }
}
