package io.godwit.transfer;

import com.google.protobuf.ByteString;
import io.godwit.proto.peer.Frame;
import io.godwit.proto.peer.PairReply;
import io.godwit.proto.peer.PairRequest;
import io.netty.channel.Channel;

import java.io.IOException;
import java.net.InetSocketAddress;

/** Dials peers: sessions with pinned peers, and pairing with a one-time trust token. */
public final class PeerClient {
    private PeerClient() {}

    /** Connects to the peer whose certificate must have expectedFingerprint; fails clearly otherwise. */
    public static PeerSession connect(InetSocketAddress addr, NodeIdentity id, String expectedFingerprint) throws IOException {
        return PeerSession.open(new ClientConnector(addr, id, expectedFingerprint, TlsContexts.ALPN_PEER), id);
    }

    /**
     * Pairs with the daemon that issued token: pins its fingerprint (carried in the token)
     * for this connection, proves the token's secret, and gets our certificate pinned there.
     * The caller then adds the returned server to its own TrustStore.
     */
    public static PairResult pair(InetSocketAddress addr, NodeIdentity id, String token) throws IOException {
        TrustToken t;
        try {
            t = TrustToken.parse(token);
        } catch (IllegalArgumentException e) {
            throw new TransferException("bad trust token: " + e.getMessage(), e);
        }
        ClientConnector c = new ClientConnector(addr, id, t.fingerprint(), TlsContexts.ALPN_PEER);
        FrameQueue q = new FrameQueue(addr.toString());
        Channel ch = c.openSync(true, p -> p.addLast("pair", q));
        try {
            ch.writeAndFlush(Wire.encode(ch.alloc(), Frame.newBuilder().setPairRequest(PairRequest.newBuilder()
                    .setSecret(ByteString.copyFrom(t.secret())).setNodeName(id.name())).build()));
            Frame f = q.take(ClientConnector.CONNECT_TIMEOUT_MS, "a pairing reply");
            if (!f.hasPairReply()) throw new TransferException("expected a pairing reply, peer sent " + f.getBodyCase());
            PairReply r = f.getPairReply();
            if (!r.getOk()) throw new TransferException("peer " + addr + " refused pairing: " + r.getError());
            if (!r.getFingerprint().equals(t.fingerprint())) {
                throw new TransferException("peer " + addr + " reported fingerprint " + r.getFingerprint() + " unlike its certificate");
            }
            return new PairResult(r.getFingerprint(), r.getNodeName(), r.getRole());
        } finally {
            ch.close();
        }
    }
}
