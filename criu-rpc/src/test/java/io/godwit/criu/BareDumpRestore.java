package io.godwit.criu;

import io.godwit.proto.criu.Rpc;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The bare criu-rpc side of scripts/bench overhead: no daemon, no catalog, no manifest, just our
 * swrk client dumping and restoring a memwriter container with the CRIU options the daemon uses
 * (nftables lock, file locks, established TCP, cgroups left alone). It runs one cycle per line
 * "run" read from stdin and answers "DUMP_MS RESTORE_MS" (or "error MESSAGE"), so that the
 * bench script can alternate it with daemon runs while this JVM stays warm.
 * Usage: BareDumpRestore MIB   (root, system property godwit.testfs)
 */
public final class BareDumpRestore {
    public static void main(String[] args) throws Exception {
        int mib = Integer.parseInt(args[0]);
        CriuClient criu = HostCriu.client();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (!line.strip().equals("run")) {
                System.out.println("error unknown command '" + line + "'");
                continue;
            }
            try {
                double[] t = once(criu, mib);
                System.out.printf("%.1f %.1f%n", t[0], t[1]);
            } catch (Exception e) {
                System.out.println("error " + e.toString().replace('\n', ' '));
            }
            System.out.flush();
        }
    }

    private static double[] once(CriuClient criu, int mib) throws Exception {
        try (TestContainer c = TestContainer.start("/bin/memwriter", Integer.toString(mib))) {
            // The same point as the daemon side: memory filled and verified once.
            for (int i = 0; i < 3000 && !TestContainer.readOr(c.file("/tmp/out.log"), "").contains("ok 1 "); i++) {
                Thread.sleep(10);
            }
            if (!TestContainer.readOr(c.file("/tmp/out.log"), "").contains("ok 1 ")) {
                throw new IllegalStateException("memwriter did not fill its memory");
            }
            long t0 = System.nanoTime();
            criu.dump(CriuOptions.builder().pid(c.pid).imagesDir(c.images).logFile("dump.log")
                    .fileLocks(true).tcpEstablished(true).manageCgroupsMode(Rpc.criu_cg_mode.IGNORE)
                    .networkLock(Rpc.criu_network_lock_method.NFTABLES).build());
            long t1 = System.nanoTime();
            int pid = criu.restore(CriuOptions.builder().imagesDir(c.images).logFile("restore.log").root(c.rootfs)
                    .fileLocks(true).tcpEstablished(true).manageCgroupsMode(Rpc.criu_cg_mode.IGNORE)
                    .networkLock(Rpc.criu_network_lock_method.NFTABLES).build()).pid();
            long t2 = System.nanoTime();
            c.alsoKill(pid);
            if (!TestContainer.alive(pid)) {
                throw new IllegalStateException("restored tree is not running");
            }
            return new double[]{(t1 - t0) / 1e6, (t2 - t1) / 1e6};
        }
    }
}
