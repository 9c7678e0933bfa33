package io.godwit.migrator.cluster;

import java.util.regex.Pattern;

/**
 * Peer calls between members for failover, over the same mutual-TLS channel and tree transfer
 * as moves: a member offers a checkpoint of a failover container, sends what the holder lacks
 * (the image, the checkpoint as one verified archive) as trees {@code REPLICAID/image} and
 * {@code REPLICAID/archive}, then commits; the leader asks the holder to restore from it.
 */
final class ReplicaProtocol {
    static final String OFFER = "replica.offer";
    static final String COMMIT = "replica.commit";
    static final String RESTORE = "failover.restore";
    static final String TREE_IMAGE = "image";
    static final String TREE_ARCHIVE = "archive";
    static final Pattern REPLICA_ID = Pattern.compile("replica-[a-f0-9-]{8,64}");
    static final Pattern CHECKPOINT_ID = Pattern.compile("[0-9A-Za-z][0-9A-Za-z._-]{0,63}");

    private ReplicaProtocol() {
    }

    /** node offers checkpoint of its container; image is the container's image fingerprint. */
    record Offer(String replicaId, String node, String container, String checkpoint, String image) {
    }

    record OfferAnswer(boolean have, boolean imagePresent) {
    }

    /** The trees of replicaId arrived: import them (imageAlias names the image if it was sent). */
    record Commit(String replicaId, boolean imageSent, String imageAlias) {
    }

    record Committed(String checkpoint, long bytes) {
    }

    /** The leader's order: restore node's container from checkpoint here, and carry on its schedule. */
    record Restore(String node, String container, String checkpoint, long everySeconds, int keep) {
    }

    record Restored(String container, int pid, long restoreMs) {
    }

    static String treeId(String replicaId, String tree) {
        return replicaId + "/" + tree;
    }
}
