package io.godwit.transfer;

import java.nio.file.Path;

/**
 * Implemented by the daemon: gives meaning to what trusted peers send. Every method may be
 * called from several threads at once. peerFingerprint names the authenticated caller.
 */
public interface PeerService {
    /** Answers a call; a thrown exception becomes a 500 reply carrying its message. */
    CallReply handleCall(String method, byte[] json, String peerFingerprint) throws Exception;

    /**
     * The directory where the tree treeId must land (created if missing). Nothing is ever
     * written outside it. Throw to refuse the tree.
     */
    Path treeTarget(String treeId, String peerFingerprint) throws Exception;

    /**
     * Whether each file of tree treeId is fsynced before it is renamed into place. A tree that is
     * used at once and worthless after a crash (a move's staging) need not pay for it.
     */
    default boolean durable(String treeId) {
        return true;
    }

    /** The tree arrived complete and every file's checksum was verified. */
    default void treeReceived(String treeId, String peerFingerprint, TreeStats stats) {}

    /** Where to connect a tunnel stream; throw (or return null) to refuse it. */
    default TunnelTarget openTunnel(String tunnelId, String peerFingerprint) throws Exception {
        throw new TransferException("this daemon offers no tunnels");
    }
}
