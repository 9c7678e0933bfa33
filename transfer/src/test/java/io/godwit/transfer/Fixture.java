package io.godwit.transfer;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Two daemons' worth of identities and trust stores, and a server on loopback. */
final class Fixture implements AutoCloseable {
    final Path dir;
    final NodeIdentity serverId, clientId;
    final TrustStore serverTrust, clientTrust;
    final RecordingService service;
    final PeerServer server;

    static final class RecordingService implements PeerService {
        final List<String> seen = new CopyOnWriteArrayList<>();
        final Path trees;
        volatile TunnelTarget tunnelTarget;

        RecordingService(Path trees) {
            this.trees = trees;
        }

        @Override
        public CallReply handleCall(String method, byte[] json, String peerFingerprint) throws Exception {
            seen.add("call " + method);
            if (method.equals("boom")) throw new IllegalStateException("boom went the service");
            return CallReply.ok(("{\"method\":\"" + method + "\",\"echo\":" + new String(json) + "}").getBytes());
        }

        @Override
        public Path treeTarget(String treeId, String peerFingerprint) {
            seen.add("tree " + treeId);
            return trees.resolve(treeId);
        }

        @Override
        public TunnelTarget openTunnel(String tunnelId, String peerFingerprint) {
            seen.add("tunnel " + tunnelId);
            return tunnelTarget;
        }
    }

    Fixture(HttpInitializer http, boolean trustClient) throws Exception {
        dir = Files.createTempDirectory("godwit-transfer-test");
        serverId = NodeIdentity.loadOrCreate(dir.resolve("server-id"), "server-node");
        clientId = NodeIdentity.loadOrCreate(dir.resolve("client-id"), "client-node");
        serverTrust = TrustStore.open(dir.resolve("server-trust"), serverId);
        clientTrust = TrustStore.open(dir.resolve("client-trust"), clientId);
        if (trustClient) serverTrust.add(new TrustedPeer("client-node", clientId.fingerprint(), Instant.now(), "peer"));
        service = new RecordingService(Files.createDirectories(dir.resolve("trees")));
        server = PeerServer.start(new InetSocketAddress("127.0.0.1", 0), serverId, serverTrust, service, http);
    }

    InetSocketAddress addr() {
        return new InetSocketAddress("127.0.0.1", server.port());
    }

    PeerSession connect() throws Exception {
        return PeerClient.connect(addr(), clientId, serverId.fingerprint());
    }

    @Override
    public void close() throws Exception {
        server.close();
        SafePaths.deleteRecursively(dir);
    }
}
