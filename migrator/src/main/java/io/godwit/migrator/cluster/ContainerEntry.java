package io.godwit.migrator.cluster;

/**
 * A container in the fleet's directory (P/containers/NODE/NAME): where it runs and what it needs.
 * The daemon's own catalog stays the truth; this is what the others see, kept current within a
 * few seconds.
 *
 * @param node        the member running it
 * @param name        its name there
 * @param status      RUNNING, PAUSED, STOPPED or CREATED
 * @param image       its image's fingerprint
 * @param memoryBytes memory it uses (rounded up to 4 MiB, so that small changes are not writes)
 * @param memoryLimit its limit, 0 when none
 * @param onNodeFailure what the fleet does with it when its member dies: none or restore
 * @param replica     its newest replicated checkpoint and where it is (restore only), or null
 */
public record ContainerEntry(String node, String name, String status, String image, long memoryBytes, long memoryLimit,
        String onNodeFailure, ReplicaRecord replica) {
    static final long ROUND = 4L << 20;

    public ContainerEntry(String node, String name, String status, String image, long memoryBytes, long memoryLimit) {
        this(node, name, status, image, memoryBytes, memoryLimit, FailoverPolicy.NONE, null);
    }

    static long roundUp(long bytes) {
        return (bytes + ROUND - 1) / ROUND * ROUND;
    }
}
