package io.godwit.transfer;

import io.godwit.proto.peer.Frame;
import io.godwit.proto.peer.Hello;
import io.netty.channel.Channel;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client's session with one pinned peer. Calls share one connection and may come from
 * several threads; each tree and each tunnel stream gets its own connection so that bulk
 * data never queues behind or in front of calls.
 */
public final class PeerSession implements AutoCloseable {
    private final ClientConnector connector;
    private final CallClient calls;
    private final Channel callChannel;
    private final String peerName;
    private final List<Tunnel> tunnels = new CopyOnWriteArrayList<>();

    private PeerSession(ClientConnector connector, CallClient calls, Channel callChannel, String peerName) {
        this.connector = connector;
        this.calls = calls;
        this.callChannel = callChannel;
        this.peerName = peerName;
    }

    static PeerSession open(ClientConnector connector, NodeIdentity id) throws IOException {
        CallClient calls = new CallClient(connector.address().toString());
        Channel ch = connector.openSync(true, p -> p.addLast("calls", calls));
        calls.attach(ch);
        ch.writeAndFlush(Wire.encode(ch.alloc(), Frame.newBuilder().setHello(Hello.newBuilder()
                .setDaemonVersion(PeerServer.VERSION).setNodeName(id.name())).build()));
        try {
            Frame hello = calls.hello().get(ClientConnector.CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return new PeerSession(connector, calls, ch, hello.getHello().getNodeName());
        } catch (ExecutionException e) {
            ch.close();
            // With TLS 1.3 the client's handshake completes before the server has judged our certificate.
            throw new TransferException("peer " + connector.address() + " closed the connection after the TLS handshake:"
                    + " it does not trust our certificate " + id.fingerprint() + " (pair with a trust token first)", e.getCause());
        } catch (TimeoutException e) {
            ch.close();
            throw new TransferException("peer " + connector.address() + " did not answer Hello within "
                    + ClientConnector.CONNECT_TIMEOUT_MS + " ms");
        } catch (InterruptedException e) {
            ch.close();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting to " + connector.address());
        }
    }

    /** Calls method on the peer's PeerService; safe from several threads at once. */
    public CallReply call(String method, byte[] json, Duration timeout) throws IOException {
        return calls.call(method, json, timeout);
    }

    /**
     * Sends localDir so that the peer's target for treeId becomes a mirror of it. Blocks;
     * progress is reported on this thread. A checksum mismatch or unsafe name fails the
     * whole tree with the receiver's message.
     */
    public TreeStats sendTree(Path localDir, String treeId, SyncMode mode, ProgressListener progress) throws IOException {
        return new TreeSender(connector).send(localDir, treeId, mode, progress == null ? ProgressListener.NONE : progress);
    }

    /** Opens a local listener on 127.0.0.1 whose connections are tunnelled to the peer's target for tunnelId. */
    public Tunnel openTunnel(String tunnelId) throws IOException {
        Tunnel t = new Tunnel(tunnelId, connector);
        tunnels.add(t);
        return t;
    }

    public String peerFingerprint() {
        return connector.expectedFingerprint();
    }

    /** The name the peer gave itself in its Hello. */
    public String peerName() {
        return peerName;
    }

    public boolean isOpen() {
        return callChannel.isActive();
    }

    @Override
    public void close() {
        tunnels.forEach(Tunnel::close);
        callChannel.close().syncUninterruptibly();
    }
}
