package io.godwit.migrator.peer;

import io.godwit.transfer.CallReply;
import io.godwit.transfer.PeerService;
import io.godwit.transfer.TreeStats;
import io.godwit.transfer.TunnelTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * The peer calls about the pairing itself, in front of the daemon's other peer calls (the move
 * protocol): {@value #UNPAIR} lets a peer that removes us as its remote take back its trust here
 * too, so that `godwit remote rm` on one side leaves neither side trusting the other. A peer can
 * only ever unpair itself: the caller's own certificate is the one revoked.
 */
public final class PairingCalls implements PeerService {
    public static final String UNPAIR = "pair.remove";
    private static final Logger LOG = Logger.getLogger(PairingCalls.class.getName());

    private final PeerService next;
    private final PeerLink peers;

    public PairingCalls(PeerService next, PeerLink peers) {
        this.next = next;
        this.peers = peers;
    }

    @Override
    public CallReply handleCall(String method, byte[] json, String peerFingerprint) throws Exception {
        if (!UNPAIR.equals(method)) {
            return next.handleCall(method, json, peerFingerprint);
        }
        String name = peers.trustedName(peerFingerprint);
        peers.revokeTrust(peerFingerprint);
        LOG.info("unpaired at the request of " + name + " (" + peerFingerprint + ")");
        return CallReply.ok("{}".getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Path treeTarget(String treeId, String peerFingerprint) throws Exception {
        return next.treeTarget(treeId, peerFingerprint);
    }

    @Override
    public boolean durable(String treeId) {
        return next.durable(treeId);
    }

    @Override
    public void treeReceived(String treeId, String peerFingerprint, TreeStats stats) {
        next.treeReceived(treeId, peerFingerprint, stats);
    }

    @Override
    public TunnelTarget openTunnel(String tunnelId, String peerFingerprint) throws Exception {
        return next.openTunnel(tunnelId, peerFingerprint);
    }
}
