package io.godwit.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.godwit.runtime.cgroup.CgroupManager;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/** A runtime over a fresh temp directory; close() kills and removes everything it made, even after a failure. */
final class Fixture implements AutoCloseable {
    static final Path TESTFS = Path.of(System.getProperty("godwit.testfs", "build/testfs"), "rootfs");

    final Path tmp;
    final CgroupManager cgroups;
    final ContainerRuntime runtime;
    private final List<ContainerRuntime> extra = new ArrayList<>();

    Fixture(boolean withCgroups) throws IOException {
        this(withCgroups ? CgroupManager.detect(runName("godwit-rt")) : null);
    }

    /** A runtime whose containers get their cgroups from this manager (e.g. v2 on a hybrid host's unified mount). */
    Fixture(CgroupManager cgroups) throws IOException {
        assertTrue(Files.isExecutable(TESTFS.resolve("bin/counter")), "test rootfs missing: run scripts/testfs");
        tmp = Files.createTempDirectory(runName("godwit-rt") + "-");
        this.cgroups = cgroups;
        runtime = newRuntime();
    }

    ContainerRuntime newRuntime() throws IOException {
        ContainerRuntime rt = new ContainerRuntime(RuntimeConfig.of(tmp.resolve("containers"),
                new CopyImageStore(TESTFS), cgroups, null).withCriuEnvironment(() -> CriuTestDriver.NO_BREAKPOINTS));
        extra.add(rt);
        return rt;
    }

    /** The container's status, for waits in lambdas (which cannot throw). */
    ContainerState.Status status(String name) {
        try {
            return runtime.state(name).status();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /**
     * base with this test run's id (GODWIT_TEST_RUN, set by scripts/test), so that scripts/leftovers
     * finds what this run left (monitors by their state dir, cgroups by their parent) and nothing else.
     */
    static String runName(String base) {
        String run = System.getenv().getOrDefault("GODWIT_TEST_RUN", "");
        return run.isEmpty() ? base : base + "-" + run;
    }

    static String name(String base) {
        return base + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    }

    static void await(String what, Duration timeout, BooleanSupplier cond) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        }
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Last complete number the counter printed into console.log, or -1. */
    static long lastCount(Path log) {
        String[] lines = read(log).split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].matches("\\d+")) {
                return Long.parseLong(lines[i]);
            }
        }
        return -1;
    }

    @Override
    public void close() throws Exception {
        for (ContainerRuntime rt : extra) {
            rt.close();
        }
        Path dir = tmp.resolve("containers");
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path c : ds) {
                    for (String f : List.of("init.pid", "monitor.pid")) {
                        String pid = read(c.resolve(f)).trim();
                        if (!pid.isEmpty() && ProcInfo.live(Integer.parseInt(pid)) != null) {
                            Posix.POSIX.kill(Integer.parseInt(pid), 9);
                        }
                    }
                    String name = c.getFileName().toString();
                    try {
                        runtime.delete(name, true);
                    } catch (Exception e) {
                        // half-made: the tree removal below takes it
                    }
                    if (cgroups != null) {
                        try {
                            cgroups.open(name).destroy();
                        } catch (Exception e) {
                            // none
                        }
                    }
                }
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mp = line.split(" ")[4];
            if (mp.startsWith(tmp.toString())) {
                new ProcessBuilder("umount", "-l", mp).start().waitFor();
            }
        }
        ContainerRuntime.deleteTree(tmp);
    }
}
