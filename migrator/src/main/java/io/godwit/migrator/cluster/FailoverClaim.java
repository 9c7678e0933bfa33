package io.godwit.migrator.cluster;

import java.util.List;
import java.util.Map;

/**
 * The etcd transaction by which a leader takes a failover container: it succeeds only if the
 * container's member is still gone (its member key absent: a member that came back re-registered
 * first and keeps its container), nobody claimed it before (its failover key absent), and the
 * claimant still leads (its election key present). Then, at once, the record says where it goes
 * and the replica entry is removed, so the container is failed over once. Pure: what to compare
 * and write; {@link Etcd#transact} runs it.
 *
 * @param absent  keys that must not exist
 * @param present keys that must exist
 * @param equal   keys that must hold exactly this value (unchanged since read)
 * @param puts    keys written (no lease) when all holds
 * @param deletes keys deleted when all holds
 */
public record FailoverClaim(List<String> absent, List<String> present, Map<String, String> equal,
        Map<String, String> puts, List<String> deletes) {
    public static FailoverClaim of(ClusterKeys keys, ReplicaRecord replica, FailoverRecord record, String leaderKey) {
        return new FailoverClaim(
                List.of(keys.member(replica.node()), keys.failover(replica.node(), replica.container())),
                List.of(leaderKey),
                Map.of(),
                Map.of(keys.failover(replica.node(), replica.container()), Values.write(record)),
                List.of(keys.replica(replica.node(), replica.container())));
    }

    /**
     * The claim of another try of a failed failover whose record read failedValue: its member still
     * gone (a member that came back keeps its copy), the record unchanged (no other leader took this
     * try), the claimant still leading; then the record says restoring again, with the attempt counted.
     */
    public static FailoverClaim retry(ClusterKeys keys, FailoverRecord failed, String failedValue, FailoverRecord next,
            String leaderKey) {
        String key = keys.failover(failed.node(), failed.container());
        return new FailoverClaim(List.of(keys.member(failed.node())), List.of(leaderKey), Map.of(key, failedValue),
                Map.of(key, Values.write(next)), List.of());
    }
}
