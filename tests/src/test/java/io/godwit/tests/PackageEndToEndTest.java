package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Debian package on this machine: built by scripts/package, installed with dpkg, its daemon
 * started through its socket, a container launched and checkpointed with the installed godwit,
 * then purged, leaving nothing behind. The package's paths are fixed (/var/lib/godwit,
 * /run/godwit, /etc/godwit, the godwit group): where any of them is already there, a person's
 * install would meet this one, and the test skips saying which.
 *
 * Where systemd is PID 1 the units themselves start the daemon. Where it is not (as on this
 * project's machine), systemd-socket-activate stands in for godwitd.socket: it makes the socket,
 * and on the first connection starts /usr/sbin/godwitd with LISTEN_PID/LISTEN_FDS, as systemd does.
 */
class PackageEndToEndTest {
    private static final Path[] FIXED = {Path.of("/var/lib/godwit"), Path.of("/run/godwit"), Path.of("/etc/godwit"),
            Path.of("/usr/lib/godwit"), Path.of("/usr/bin/godwit"), Path.of("/usr/sbin/godwitd")};
    private static final Path SOCKET = Path.of("/run/godwit/godwit.sock");
    private static final boolean SYSTEMD = Files.isDirectory(Path.of("/run/systemd/system"));

    private Path dir;
    private boolean installed;
    private Process daemon;
    private final String container = TestHosts.runName("pkg");

    @Test
    void installStartLaunchCheckpointAndPurgeLeavesNothing() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "installing a package needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-deb")), "dpkg-deb is missing");
        List<String> present = alreadyPresent();
        assumeTrue(present.isEmpty(), "godwit's package paths are already in use on this host (" + present
                + "): installing would meet that install, so the package test does not run here");
        assumeTrue(SYSTEMD || Files.isExecutable(Path.of("/usr/bin/systemd-socket-activate")),
                "systemd is not PID 1 and systemd-socket-activate is missing: nothing can hand the socket over");
        dir = TestHosts.runDir("godwit-e2e-pkg");

        // --no-build: the reactor has packaged every module before this one; building again here
        // would rewrite jars the daemons of this test run load their classes from.
        Result built = run(900, TestHosts.TOP.resolve("scripts/package").toString(), "--no-build", "--out", dir.toString());
        assertEquals(0, built.code(), built.toString());
        Path deb;
        try (Stream<Path> debs = Files.list(dir)) {
            deb = debs.filter(p -> p.getFileName().toString().matches("godwit_.*_amd64\\.deb")).findFirst().orElseThrow();
        }

        installed = true; // from here on, @AfterEach purges whatever dpkg got to
        Result install = run(300, "dpkg", "-i", deb.toString());
        assertEquals(0, install.code(), install.toString());
        assertEquals("install ok installed", run(30, "dpkg-query", "-W", "-f=${Status}", "godwit").out());
        assertTrue(run(30, "dpkg-query", "-W", "-f=${Conffiles}", "godwit").out().contains("/etc/godwit/godwitd.json"));
        assertEquals(0, run(30, "getent", "group", "godwit").code(), "the package makes the godwit group");
        for (String f : List.of("/usr/bin/godwit", "/usr/sbin/godwitd", "/usr/lib/godwit/godwit-monitor",
                "/usr/lib/godwit/jre/bin/java", "/usr/lib/systemd/system/godwitd.service",
                "/usr/lib/systemd/system/godwitd.socket", "/usr/share/man/man1/godwit.1.gz",
                "/usr/share/man/man1/godwit-launch.1.gz", "/usr/share/man/man8/godwitd.8.gz",
                "/usr/share/zsh/vendor-completions/_godwit")) {
            assertTrue(Files.exists(Path.of(f)), f + " is not installed");
        }
        Result completion = run(30, "bash", "-c",
                "source /usr/share/bash-completion/completions/godwit && complete -p godwit");
        assertEquals(0, completion.code(), completion.toString());

        startDaemon();
        Result version = godwit("version");
        assertEquals(0, version.code(), version + daemonLog());
        assertTrue(version.out().contains("daemon:  0.1.0"), version.toString());
        if (!SYSTEMD) {
            assertTrue(daemonLog().contains("(socket from systemd)"), "the daemon bound its own socket:\n" + daemonLog());
            // systemd-socket-activate exec'd godwitd in its own process: descriptor 3 there is the socket,
            // and the daemon marked it close-on-exec so that no monitor or criu inherits it
            String fdinfo = Files.readString(Path.of("/proc", Long.toString(daemon.pid()), "fdinfo", "3"));
            long flags = Long.parseLong(fdinfo.lines().filter(l -> l.startsWith("flags:")).findFirst().orElseThrow()
                    .substring("flags:".length()).strip(), 8);
            assertTrue((flags & 02000000) != 0, "descriptor 3 is not close-on-exec:\n" + fdinfo);
        }
        Result image = godwit("image", "import", "busybox",
                Path.of(System.getProperty("godwit.testfs"), "rootfs").toString());
        assertEquals(0, image.code(), image + daemonLog());
        Result launch = godwit("launch", "busybox", container, "--", "/bin/counter", "50");
        assertEquals(0, launch.code(), launch + daemonLog());
        Result checkpoint = godwit("checkpoint", container);
        assertEquals(0, checkpoint.code(), checkpoint + daemonLog());
        Result checkpoints = godwit("checkpoints", container, "--format", "json");
        assertEquals(0, checkpoints.code(), checkpoints.toString());
        assertTrue(checkpoints.out().contains("\"id\""), "no checkpoint listed: " + checkpoints);
        assertEquals(0, godwit("delete", "--force", container).code());

        stopDaemon();
        Result purge = run(300, "dpkg", "--purge", "godwit");
        assertEquals(0, purge.code(), purge.toString());
        installed = false;
        assertFalse(run(30, "dpkg-query", "-W", "-f=${Status}", "godwit").out().contains("installed"));
        assertEquals(List.of(), alreadyPresent(), "the purge left these behind");
        assertEquals(List.of(), processesOfThePackage(), "processes of the package still run after the purge");
        Result links = run(30, "sh", "-c", "find /etc/systemd/system -name 'godwitd*'");
        assertEquals("", links.out().strip(), "unit links left after the purge");
    }

    /** What of the package's fixed places is on this host (a group counts too). */
    private static List<String> alreadyPresent() throws Exception {
        List<String> found = new ArrayList<>();
        for (Path p : FIXED) {
            if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                found.add(p.toString());
            }
        }
        if (run(30, "getent", "group", "godwit").code() == 0) {
            found.add("group godwit");
        }
        if (run(30, "dpkg-query", "-W", "-f=${Status}", "godwit").out().contains("installed")) {
            found.add("package godwit");
        }
        return found;
    }

    private void startDaemon() throws Exception {
        if (SYSTEMD) {
            assertEquals(0, run(60, "systemctl", "start", "godwitd.socket").code());
            return;
        }
        Files.createDirectories(SOCKET.getParent());
        // the daemon of this run gets the run's cgroup parent, so scripts/leftovers knows what is ours
        ProcessBuilder pb = new ProcessBuilder("systemd-socket-activate", "-l", SOCKET.toString(),
                "-E", "GODWIT_TEST_RUN", "/usr/sbin/godwitd",
                "--cgroup-parent", TestHosts.runName("godwit-e2e") + "-pkg")
                .redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile());
        daemon = pb.start();
        // systemd-socket-activate makes the socket before it waits; the first client starts godwitd
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(SOCKET) && System.nanoTime() < deadline && daemon.isAlive()) {
            sleep(100);
        }
        assertTrue(Files.exists(SOCKET), "systemd-socket-activate made no socket:\n" + daemonLog());
    }

    private void stopDaemon() throws Exception {
        if (SYSTEMD) {
            run(120, "systemctl", "stop", "godwitd.service", "godwitd.socket");
            return;
        }
        if (daemon != null && daemon.isAlive()) {
            daemon.destroy();
            if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
                daemon.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private String daemonLog() {
        try {
            return SYSTEMD ? run(30, "journalctl", "-u", "godwitd", "--no-pager", "-n", "50").out()
                    : Files.readString(dir.resolve("daemon.log"));
        } catch (Exception e) {
            return "(no daemon log: " + e + ")";
        }
    }

    /** Processes whose executable or command line is the package's: the daemon, the monitors. */
    private static List<String> processesOfThePackage() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmd = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
                    String exe = Files.isSymbolicLink(p.resolve("exe")) ? Files.readSymbolicLink(p.resolve("exe")).toString() : "";
                    if (cmd.contains("/usr/lib/godwit/") || exe.startsWith("/usr/lib/godwit/")) {
                        found.add(p.getFileName() + " " + cmd);
                    }
                } catch (IOException gone) {
                    // ended while we looked, or a kernel thread: not ours
                }
            }
        }
        return found;
    }

    /** The installed client, on the package's default socket (GODWIT_SOCKET of the test's env is not its). */
    private Result godwit(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/godwit"));
        cmd.addAll(List.of(args));
        return run(300, Map.of(), cmd.toArray(String[]::new));
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            if (installed) {
                godwit("delete", "--force", container);
                stopDaemon();
                run(300, "dpkg", "--purge", "godwit");
            } else {
                stopDaemon();
            }
        } finally {
            TestDirs.remove(dir);
        }
    }

    record Result(int code, String out) {
        @Override
        public String toString() {
            return "exit " + code + ":\n" + out;
        }
    }

    private static Result run(int seconds, String... cmd) throws Exception {
        return run(seconds, null, cmd);
    }

    private static Result run(int seconds, Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("GODWIT_SOCKET");
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        if (env != null) {
            pb.environment().putAll(env);
        }
        Path out = Files.createTempFile("godwit-pkg-cmd", ".out");
        try {
            Process p = pb.redirectOutput(out.toFile()).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                return new Result(-1, "timed out after " + seconds + " s: " + String.join(" ", cmd) + "\n"
                        + Files.readString(out));
            }
            return new Result(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
