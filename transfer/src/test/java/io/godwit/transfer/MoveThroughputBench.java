package io.godwit.transfer;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Benchmark main (run by scripts/bench.d/move-throughput): sends SRC_DIR through
 * PeerSession.sendTree to a PeerServer on loopback, RUNS times, and prints the median
 * rate of content bytes in GB/s as "sendTree_GBps=..." (machine-readable last line).
 * Usage: MoveThroughputBench SRC_DIR WORK_DIR [RUNS]
 */
public final class MoveThroughputBench {
    public static void main(String[] args) throws Exception {
        Path src = Path.of(args[0]), work = Path.of(args[1]);
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        NodeIdentity sid = NodeIdentity.loadOrCreate(work.resolve("server-id"), "bench-server");
        NodeIdentity cid = NodeIdentity.loadOrCreate(work.resolve("client-id"), "bench-client");
        TrustStore trust = TrustStore.open(work.resolve("server-trust"), sid);
        trust.add(new TrustedPeer("bench-client", cid.fingerprint(), Instant.now(), "peer"));
        Path target = work.resolve("target");
        PeerService svc = new PeerService() {
            @Override public CallReply handleCall(String m, byte[] j, String fp) { return CallReply.ok(j); }
            @Override public Path treeTarget(String id, String fp) { return target; }
        };
        List<Double> rates = new ArrayList<>();
        try (PeerServer server = PeerServer.start(new InetSocketAddress("127.0.0.1", 0), sid, trust, svc, null);
             PeerSession s = PeerClient.connect(new InetSocketAddress("127.0.0.1", server.port()), cid, sid.fingerprint())) {
            for (int i = 0; i < runs; i++) {
                SafePaths.deleteRecursively(target);
                TreeStats st = s.sendTree(src, "bench", SyncMode.FULL, null);
                double gbps = st.bytesSent() / 1e9 / (st.elapsed().toNanos() / 1e9);
                rates.add(gbps);
                System.out.printf("run %d: %d bytes in %d ms = %.3f GB/s (provider %s, fsync %s, chunk %d)%n", i + 1,
                        st.bytesSent(), st.elapsed().toMillis(), gbps, TlsContexts.provider(), TreeReceiver.FSYNC, TreeSender.CHUNK);
            }
        } finally {
            SafePaths.deleteRecursively(target);
        }
        Collections.sort(rates);
        System.out.printf("sendTree_GBps=%.3f%n", rates.get(rates.size() / 2));
        System.exit(0);
    }
}
