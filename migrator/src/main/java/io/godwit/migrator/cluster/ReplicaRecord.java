package io.godwit.migrator.cluster;

/**
 * The newest replicated checkpoint of a failover container (P/replicas/NODE/NAME, no lease: the
 * leader reads it after NODE died), and what the restored container must carry on with.
 *
 * @param node         the member that runs the container
 * @param container    its name there (and on the member that restores it)
 * @param holder       the member holding the replica
 * @param checkpoint   the checkpoint's id (the same on both members)
 * @param at           when it was replicated (ISO-8601, for people)
 * @param everySeconds its schedule, carried over to where it is restored (0: none)
 * @param keep         its schedule's retention
 */
public record ReplicaRecord(String node, String container, String holder, String checkpoint, String at,
        long everySeconds, int keep) {
}
