package io.godwit.criu;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * scripts/bench criu: checkpoints and restores the same container (memwriter with 512 MiB of
 * touched memory) alternately through our swrk client and through the criu command line with
 * equivalent options (-v4, nftables lock, --root, detached restore), N runs each, and prints
 * the medians and the median per-run ratio swrk/CLI. Each run uses a fresh container, so page
 * cache and memory layout are comparable; CLI times include starting criu, as swrk ones do.
 */
public final class CriuBench {
    public static void main(String[] args) throws Exception {
        int runs = 6;
        int mib = 512;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--mib" -> mib = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("usage: criu [--runs N] [--mib MIB]");
            }
        }
        CriuClient criu = HostCriu.client();
        System.out.printf("criu %s, %d MiB touched memory, %d runs each, alternating%n", criu.version(), mib, runs);
        List<Double> swrkDump = new ArrayList<>(), swrkRestore = new ArrayList<>();
        List<Double> cliDump = new ArrayList<>(), cliRestore = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            double[] s = once(criu, mib, false);
            double[] c = once(criu, mib, true);
            swrkDump.add(s[0]); swrkRestore.add(s[1]); cliDump.add(c[0]); cliRestore.add(c[1]);
            System.out.printf("run %d: swrk dump %.0f ms restore %.0f ms | cli dump %.0f ms restore %.0f ms%n",
                    r + 1, s[0], s[1], c[0], c[1]);
        }
        System.out.printf("median dump:    swrk %.0f ms, cli %.0f ms, ratio swrk/cli %.3f%n",
                median(swrkDump), median(cliDump), medianRatio(swrkDump, cliDump));
        System.out.printf("median restore: swrk %.0f ms, cli %.0f ms, ratio swrk/cli %.3f%n",
                median(swrkRestore), median(cliRestore), medianRatio(swrkRestore, cliRestore));
        List<Double> st = new ArrayList<>(), ct = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            st.add(swrkDump.get(i) + swrkRestore.get(i));
            ct.add(cliDump.get(i) + cliRestore.get(i));
        }
        System.out.printf("median dump+restore ratio swrk/cli %.3f (goal <= 1.05)%n", medianRatio(st, ct));
    }

    /** One container: fill, dump, restore, check it runs, clean up. Returns {dump ms, restore ms}. */
    private static double[] once(CriuClient criu, int mib, boolean cli) throws Exception {
        try (TestContainer c = TestContainer.start("/bin/memwriter", Integer.toString(mib))) {
            for (int i = 0; i < 1000 && !TestContainer.readOr(c.file("/tmp/out.log"), "").contains("ok 1 "); i++) Thread.sleep(10);
            long t0 = System.nanoTime();
            if (cli) {
                TestContainer.run("criu", "dump", "-t", Integer.toString(c.pid), "-D", c.images.toString(),
                        "-o", "dump.log", "-v4", "--network-lock", "nftables");
            } else {
                criu.dump(CriuOptions.builder().pid(c.pid).imagesDir(c.images).build());
            }
            long t1 = System.nanoTime();
            int pid;
            if (cli) {
                TestContainer.run("criu", "restore", "-D", c.images.toString(), "-o", "restore.log", "-v4",
                        "--network-lock", "nftables", "--root", c.rootfs.toString(), "-d",
                        "--pidfile", c.dir.resolve("restored.pid").toString());
                pid = Integer.parseInt(TestContainer.readOr(c.dir.resolve("restored.pid"), "0").trim());
            } else {
                pid = criu.restore(CriuOptions.builder().imagesDir(c.images).root(c.rootfs).build()).pid();
            }
            long t2 = System.nanoTime();
            c.alsoKill(pid);
            if (!TestContainer.alive(pid)) throw new IllegalStateException("restored tree is not running");
            return new double[]{ms(t1 - t0), ms(t2 - t1)};
        }
    }

    private static double ms(long nanos) {
        return Duration.ofNanos(nanos).toNanos() / 1e6;
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static double medianRatio(List<Double> a, List<Double> b) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) r.add(a.get(i) / b.get(i));
        return median(r);
    }
}
