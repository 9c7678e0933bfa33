package io.godwit.criu;

import io.godwit.criu.internal.LibC;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away container CRIU can dump: a copy of the test rootfs under a temp dir, a program
 * running as a session leader and pid 1 of its own pid/mount/uts/ipc/net namespaces
 * (container-init.sh under unshare). close() kills everything it started or was told about
 * and removes the temp dir, also after a failed test.
 */
final class TestContainer implements AutoCloseable {
    final Path dir;
    final Path rootfs;
    final Path images;
    private final Process unshare;
    private final List<Integer> extraPids = new ArrayList<>();
    int pid;

    private TestContainer(Path dir, Path rootfs, Process unshare) {
        this.dir = dir;
        this.rootfs = rootfs;
        this.images = dir.resolve("images");
        this.unshare = unshare;
    }

    static Path testfs() {
        String p = System.getProperty("godwit.testfs");
        if (p == null) throw new IllegalStateException("system property godwit.testfs not set (run scripts/testfs)");
        Path rootfs = Path.of(p, "rootfs");
        if (!Files.isDirectory(rootfs)) throw new IllegalStateException("no test rootfs at " + rootfs + " (run scripts/testfs)");
        return rootfs;
    }

    static Path tempDir() throws IOException {
        // with this test run's id (GODWIT_TEST_RUN, set by scripts/test): scripts/leftovers finds it by that
        String run = System.getenv().getOrDefault("GODWIT_TEST_RUN", "");
        return Files.createTempDirectory(Path.of("/tmp"), run.isEmpty() ? "godwit-criu-test-" : "godwit-criu-test-" + run + "-");
    }

    static TestContainer start(String... program) throws Exception {
        Path dir = tempDir();
        Path rootfs = dir.resolve("rootfs");
        Process unshare = null;
        try {
            run("cp", "-a", testfs().toString(), rootfs.toString());
            Files.createDirectories(dir.resolve("images"));
            Path init = dir.resolve("container-init.sh");
            try (InputStream in = TestContainer.class.getResourceAsStream("container-init.sh")) {
                Files.copy(in, init);
            }
            List<String> cmd = new ArrayList<>(List.of("unshare", "--fork", "--pid", "--mount", "--uts", "--ipc", "--net",
                    "/bin/sh", init.toString(), rootfs.toString()));
            cmd.addAll(List.of(program));
            unshare = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("unshare.log").toFile()).start();
            TestContainer c = new TestContainer(dir, rootfs, unshare);
            c.pid = c.awaitInit(program[0]);
            return c;
        } catch (Exception e) {
            if (unshare != null) unshare.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            deleteTree(dir);
            throw e;
        }
    }

    /** The child of unshare once it runs {@code program} (after container-init.sh exec'd it). */
    private int awaitInit(String program) throws Exception {
        String name = Path.of(program).getFileName().toString();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (int child : DumpCleanup.tree((int) unshare.pid())) {
                if (child == unshare.pid()) continue;
                String comm = readOr(Path.of("/proc", Integer.toString(child), "comm"), "").trim();
                if (comm.equals(name)) return child;
            }
            if (!unshare.isAlive()) break;
            Thread.sleep(20);
        }
        throw new IllegalStateException("container did not start " + program + ": " + readOr(dir.resolve("unshare.log"), ""));
    }

    /** Something else to kill at close (e.g. the restored tree's root). */
    void alsoKill(int otherPid) {
        extraPids.add(otherPid);
    }

    Path file(String pathInRoot) {
        return rootfs.resolve(pathInRoot.replaceFirst("^/", ""));
    }

    long count() {
        String s = readOr(file("/tmp/count"), "-1").trim();
        return s.isEmpty() ? -1 : Long.parseLong(s);
    }

    static boolean alive(int pid) {
        String stat = readOr(Path.of("/proc", Integer.toString(pid), "stat"), null);
        if (stat == null) return false;
        char state = stat.charAt(stat.lastIndexOf(')') + 2);
        return state != 'Z' && state != 'X';
    }

    static char state(int pid) {
        String stat = readOr(Path.of("/proc", Integer.toString(pid), "stat"), null);
        return stat == null ? '?' : stat.charAt(stat.lastIndexOf(')') + 2);
    }

    static String readOr(Path p, String fallback) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return fallback;
        }
    }

    static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    @Override
    public void close() throws InterruptedException {
        // SIGKILL to a pid namespace's init kills the whole namespace.
        for (int p : extraPids) LibC.INSTANCE.kill(p, LibC.SIGKILL);
        if (pid > 0 && alive(pid)) LibC.INSTANCE.kill(pid, LibC.SIGKILL);
        unshare.destroyForcibly();
        unshare.waitFor(5, TimeUnit.SECONDS);
        for (int p : extraPids) {
            for (int i = 0; i < 100 && alive(p); i++) Thread.sleep(10);
        }
        deleteTree(dir);
    }
}
