package io.godwit.migrator.move;

import io.godwit.runtime.ContainerSpec;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the source and the target daemon say to each other during a move: the peer call names
 * and their JSON bodies. Trees travel as {@code MOVEID/image}, {@code MOVEID/rootfs} and
 * {@code MOVEID/images}.
 */
public final class MoveProtocol {
    public static final String PREFLIGHT = "move.preflight";
    public static final String IMAGE = "move.image";
    public static final String RESTORE = "move.restore";
    public static final String ABORT = "move.abort";
    public static final String LAZY_PREPARE = "move.lazy-prepare";
    public static final String LAZY_FINISH = "move.lazy-finish";
    public static final String TARGET_PREPARE = "move.target-prepare";

    public static final String TREE_IMAGE = "image";
    public static final String TREE_ROOTFS = "rootfs";
    public static final String TREE_IMAGES = "images";
    public static final List<String> TREES = List.of(TREE_IMAGE, TREE_ROOTFS, TREE_IMAGES);

    /** Move ids are ours (UUIDs); anything else from a peer is refused before it names a directory. */
    static final Pattern MOVE_ID = Pattern.compile("[a-f0-9][a-f0-9-]{7,63}");

    private MoveProtocol() {
    }

    /**
     * Asked before anything is frozen. cpuinfo is the source's CPUINFO_DUMP image (base64);
     * bytesNeeded what will land on the target's disk (memory pages, rootfs changes, the image
     * if the target lacks it).
     */
    public record Preflight(String moveId, String name, String imageFingerprint, String imageAlias, long imageBytes,
            String criuVersion, String cpuinfo, long bytesNeeded, List<String> volumeHostPaths, String mode) {
    }

    /** The target's go: what it has and can do. A no-go is an error reply instead. */
    public record PreflightAnswer(String node, boolean imagePresent, long freeBytes, String criuVersion,
            boolean lazyPages, boolean memTrack) {
    }

    /** The image tree arrived: import it, and check that it is the image the source has. */
    public record ImageCommit(String moveId, String fingerprint, String alias) {
    }

    /**
     * Restore the images as container name. stdioPipes as in a checkpoint manifest. With lazy,
     * the memory pages stay on the source: pageTunnel names the tunnel to its page server.
     */
    public record RestoreOrder(String moveId, String name, ContainerSpec spec, Map<String, String> stdioPipes,
            boolean lazy, String pageTunnel, Carried carried) {
    }

    /**
     * What goes with a container besides its state: its failover policy and checkpoint schedule,
     * the source catalog's, set in the target's catalog once it runs there (null from older sources).
     *
     * @param onNodeFailure        "restore", or null for none
     * @param scheduleEverySeconds the schedule's period, 0 for none
     * @param scheduleKeep         the schedule's retention
     */
    public record Carried(String onNodeFailure, long scheduleEverySeconds, int scheduleKeep) {
        public boolean any() {
            return onNodeFailure != null || scheduleEverySeconds > 0;
        }
    }

    /** The container runs on the target: its init pid there and how long the restore took. */
    public record Restored(String name, int pid, long restoreMs) {
    }

    /**
     * Post-copy: start the target's lazy-pages daemon on the images that arrived. It reaches the
     * source's page server through tunnel moveId, which the target opens to sourceAddress (the
     * source's TLS port), pinning the certificate the source called with.
     */
    public record LazyPrepare(String moveId, String sourceAddress) {
    }

    public record LazyReady(String tunnelId) {
    }

    /** Post-copy: wait until every page arrived (the container runs there already). */
    public record LazyFinish(String moveId) {
    }

    public record LazyDone(long waitedMs) {
    }

    /**
     * Post-copy, before the source freezes: make the container from the rootfs changes that arrived,
     * with its cgroup and its monitor, whose criu waits for the restore request, and open the tunnel
     * to the source's page server at sourceAddress; only CRIU's own work is left for after the
     * freeze. The container stays CREATED, tied to the move: an abort, or the source going away,
     * removes it.
     */
    public record TargetPrepare(String moveId, String name, ContainerSpec spec, String sourceAddress) {
    }

    public record TargetPrepared(String name, long preparedMs) {
    }

    /** Forget this move: remove what arrived and any container it made. */
    public record Abort(String moveId, String reason) {
    }

    static String treeId(String moveId, String tree) {
        return moveId + "/" + tree;
    }
}
