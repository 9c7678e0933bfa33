package io.godwit.migrator.host;

import io.godwit.criu.BreakpointProbe;
import io.godwit.criu.CriuClient;
import io.godwit.criu.CriuException;
import io.godwit.criu.CriuFeatures;
import io.godwit.criu.CriuLaunch;
import io.godwit.criu.TcpDumpCheck;
import io.godwit.migrator.api.Json;
import io.godwit.migrator.files.AtomicWrite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Logger;

/**
 * Finds out once, with a bounded time, what CRIU can do on this host, and keeps the answer in
 * the daemon's root ({@value #CACHE}) for as long as the kernel, CRIU and the boot are the same.
 * The slow part is the breakpoint probe (a second or two on a host without debug traps); the
 * rest reads /proc and asks CRIU.
 */
public final class HostProbe {
    public static final String CACHE = "host-probe.json";
    private static final Logger LOG = Logger.getLogger(HostProbe.class.getName());

    private final Path criu;
    private final Path root;
    private final BreakpointMode mode;

    public HostProbe(Path criu, Path root, BreakpointMode mode) {
        this.criu = criu;
        this.root = root;
        this.mode = mode;
    }

    /** The facts, from the cache when it still describes this host, else probed now (and cached). */
    public HostFacts facts() throws IOException, InterruptedException {
        String kernel = read("/proc/sys/kernel/osrelease");
        String bootId = read("/proc/sys/kernel/random/boot_id");
        // VERSION and FEATURE_CHECK never stop a task: no trap is involved, whatever the host
        CriuClient plain = new CriuClient(criu, CriuLaunch.defaults().withHardwareBreakpoints(false));
        String version;
        try {
            version = plain.version().toString();
        } catch (CriuException e) {
            version = "";
        }
        HostFacts cached = readCache();
        if (cached != null && cached.sameHost(kernel, version, bootId) && !cached.breakpoints().startsWith("forced")) {
            return withMode(cached);
        }
        long t0 = System.nanoTime();
        HostFacts fresh = probe(plain, kernel, bootId, version, t0);
        if (mode == BreakpointMode.AUTO) {
            writeCache(root, fresh);
        }
        return fresh;
    }

    /** Keeps facts for the next start on this host (same kernel, CRIU and boot). */
    static void writeCache(Path root, HostFacts facts) throws IOException {
        AtomicWrite.write(root.resolve(CACHE), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(facts));
    }

    private HostFacts probe(CriuClient plain, String kernel, String bootId, String version, long t0)
            throws IOException, InterruptedException {
        String breakpoints;
        String detail;
        boolean works;
        String problem = null;
        if (version.isEmpty()) {
            breakpoints = "unknown";
            detail = "criu did not answer";
            works = false;
            problem = "criu (" + criu + ") does not answer a VERSION request: is CRIU 4.x installed? (scripts/setup)";
        } else if (mode == BreakpointMode.AUTO) {
            Path work = root.resolve("host-probe.d");
            BreakpointProbe.Result r = new BreakpointProbe(criu, work).run();
            io.godwit.migrator.files.Trees.delete(work);
            detail = r.detail();
            works = r.verdict() != BreakpointProbe.Verdict.CRIU_FAILS;
            breakpoints = switch (r.verdict()) {
                case DELIVERED -> "delivered";
                case NOT_DELIVERED -> "not-delivered";
                case CRIU_FAILS -> "unknown";
            };
            if (!works) {
                problem = "CRIU cannot checkpoint and restore a plain process here: " + r.detail();
            }
        } else {
            breakpoints = "forced-" + mode.word();
            detail = "set by criuBreakpoints=" + mode.word() + " (not probed)";
            works = true;
        }
        CriuFeatures f;
        try {
            f = plain.features();
        } catch (CriuException e) {
            f = new CriuFeatures(false, false, false);
        }
        String tcp = TcpDumpCheck.problem();
        long pipe = Long.parseLong(read("/proc/sys/fs/pipe-max-size"));
        String[] cgroup = cgroups();
        return new HostFacts(kernel, bootId, version, breakpoints, detail, works, problem, f.lazyPages(), f.memTrack(),
                f.pidfdStore(), networkLock(), tcp == null, tcp, pipe, cgroup[0],
                cgroup[1].isEmpty() ? List.of() : Arrays.asList(cgroup[1].split(" ")),
                (System.nanoTime() - t0) / 1_000_000, Instant.now().toString());
    }

    /** A cached AUTO verdict, unless a setting forces breakpoints now. */
    private HostFacts withMode(HostFacts f) {
        if (mode == BreakpointMode.AUTO) return f;
        return new HostFacts(f.kernel(), f.bootId(), f.criuVersion(), "forced-" + mode.word(),
                "set by criuBreakpoints=" + mode.word() + " (the probe had found: " + f.breakpoints() + ")",
                f.criuWorks(), f.criuProblem(), f.lazyPages(), f.memTrack(), f.pidfdStore(), f.networkLock(),
                f.tcpEstablished(), f.tcpProblem(), f.pipeMaxSize(), f.cgroupVersion(), f.cgroupControllers(),
                f.probeMillis(), f.probedAt());
    }

    private HostFacts readCache() {
        Path p = root.resolve(CACHE);
        if (!Files.isRegularFile(p)) return null;
        try {
            return Json.MAPPER.readValue(p.toFile(), HostFacts.class);
        } catch (IOException e) {
            LOG.warning("ignoring unreadable " + p + " (probing again): " + e.getMessage());
            return null;
        }
    }

    /** CRIU locks the network with nftables when it was built with libnftables (Godwit asks it for that). */
    private static String networkLock() {
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib")) {
            if (Files.exists(Path.of(dir, "libnftables.so.1"))) return "nftables";
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin")) {
            if (Files.isExecutable(Path.of(dir, "iptables-restore"))) return "iptables";
        }
        return "none";
    }

    /** {version, space-separated controllers}. */
    private static String[] cgroups() throws IOException {
        Path v2 = Path.of("/sys/fs/cgroup/cgroup.controllers");
        if (Files.isRegularFile(v2)) {
            return new String[] {"v2", String.join(" ", Files.readAllLines(v2)).strip()};
        }
        List<String> enabled = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/cgroups"))) {
            String[] f = line.split("\\s+");
            if (f.length >= 4 && !line.startsWith("#") && f[3].equals("1")) enabled.add(f[0]);
        }
        boolean hybrid = Files.isDirectory(Path.of("/sys/fs/cgroup/unified"));
        return new String[] {hybrid ? "v1+unified" : "v1", String.join(" ", enabled)};
    }

    /** One line of /proc; line by line, since Files.readString returned "1" for a pipe-max-size of 16777216. */
    static String read(String file) throws IOException {
        return String.join("\n", Files.readAllLines(Path.of(file))).strip();
    }
}
