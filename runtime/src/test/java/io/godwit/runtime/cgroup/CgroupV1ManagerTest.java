package io.godwit.runtime.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against the real kernel: runs only on a v1/hybrid host (this project's test machines). */
class CgroupV1ManagerTest {

    private static final Path FREEZER = Path.of("/sys/fs/cgroup/freezer");

    private final List<Cgroup> cgroups = new ArrayList<>();
    private CgroupTestSupport support;
    private CgroupManager manager;

    @BeforeEach
    void setUp() {
        manager = CgroupManager.detect();
        assumeFalse(manager.isV2(), "host is cgroup v2");
        support = new CgroupTestSupport();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (support != null) {
            support.close();
        }
        for (Cgroup c : cgroups) {
            c.destroy();
        }
    }

    private Cgroup create(ResourceLimits limits) throws IOException {
        Cgroup c = manager.create(CgroupTestSupport.uniqueName("t"), limits);
        cgroups.add(c);
        return c;
    }

    private static String read(String controller, Cgroup c, String file) throws IOException {
        return Files.readString(Path.of("/sys/fs/cgroup", controller, c.paths().get(controller), file)).trim();
    }

    @Test
    void detectsV1AndMakesTheSamePathInEveryHierarchy() throws IOException {
        assertTrue(manager instanceof CgroupV1Manager);
        Cgroup c = create(ResourceLimits.NONE);
        for (var e : c.paths().entrySet()) {
            assertEquals("/godwit/" + c.name(), e.getValue(), e.getKey());
        }
        for (String needed : List.of("memory", "cpu", "cpuacct", "pids", "freezer")) {
            assertTrue(c.paths().containsKey(needed), needed);
            assertTrue(Files.isDirectory(Path.of("/sys/fs/cgroup", needed, "godwit", c.name())), needed);
        }
        assertEquals(FREEZER.resolve("godwit").resolve(c.name()).toString(), c.freezerPath());
        assertEquals(c.name(), manager.open(c.name()).name());
    }

    @Test
    void limitsAreWrittenAndReset() throws IOException {
        Cgroup c = create(new ResourceLimits(64L << 20, 500, 50));
        assertEquals(Long.toString(64L << 20), read("memory", c, "memory.limit_in_bytes"));
        assertEquals("50000", read("cpu", c, "cpu.cfs_quota_us"));
        assertEquals("100000", read("cpu", c, "cpu.cfs_period_us"));
        assertEquals("50", read("pids", c, "pids.max"));
        assertEquals(64L << 20, c.stats().memoryLimitBytes());

        c.applyLimits(ResourceLimits.NONE);
        assertEquals("-1", read("cpu", c, "cpu.cfs_quota_us"));
        assertEquals("max", read("pids", c, "pids.max"));
        assertEquals(0, c.stats().memoryLimitBytes());
        c.applyLimits(new ResourceLimits(32L << 20, 2000, 10));
        assertEquals(Long.toString(32L << 20), read("memory", c, "memory.limit_in_bytes"));
        assertEquals("200000", read("cpu", c, "cpu.cfs_quota_us"));
    }

    @Test
    void refusesBadNames() {
        for (String bad : List.of("", "..", ".", "a/b", "../x", "a b", "a\nb")) {
            assertThrows(IllegalArgumentException.class, () -> manager.create(bad, ResourceLimits.NONE), bad);
        }
        assertThrows(IOException.class, () -> manager.open(CgroupTestSupport.uniqueName("absent")));
    }

    @Test
    void freezeStopsTheProcessAndThawResumesIt(@TempDir Path tmp) throws Exception {
        Cgroup c = create(ResourceLimits.NONE);
        Path out = tmp.resolve("ticks");
        Process ticker = support.start(out, CgroupTestSupport.busybox().toString(), "sh", "-c",
                "i=0; while true; do i=$((i+1)); echo $i; usleep 20000; done");
        c.addProcess((int) ticker.pid());
        assertTrue(Files.readString(Path.of("/proc", Long.toString(ticker.pid()), "cgroup"))
                .contains("freezer:/godwit/" + c.name()));
        waitForLines(out, 2);

        c.freeze();
        assertTrue(c.isFrozen());
        assertEquals("FROZEN", Files.readString(Path.of(c.freezerPath(), "freezer.state")).trim());
        long frozenAt = lines(out);
        Thread.sleep(300);
        assertEquals(frozenAt, lines(out), "output grew while frozen");
        c.freeze(); // twice is fine

        c.thaw();
        assertFalse(c.isFrozen());
        waitForLines(out, frozenAt + 3);
    }

    @Test
    void statsCountAProcess() throws Exception {
        Cgroup c = create(new ResourceLimits(256L << 20, 0, 100));
        // Pages are charged to the cgroup that first touches them, and v1 does not move charges
        // with a process: once inside, the shell keeps 4 MiB of new heap (a string) so there is
        // memory to count whatever it touched before it joined.
        Process busy = support.start(CgroupTestSupport.busybox().toString(), "sh", "-c",
                "read x; s=$(head -c 4194304 /dev/zero | tr '\\0' x); i=0;"
                        + " while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 60");
        c.addProcess((int) busy.pid());
        busy.getOutputStream().write("go\n".getBytes(StandardCharsets.US_ASCII));
        busy.getOutputStream().flush();
        Thread.sleep(300);
        CgroupStats stats = c.stats();
        assertTrue(stats.memoryBytes() > 0, stats.toString());
        assertTrue(stats.cpuNanos() > 0, stats.toString());
        assertTrue(stats.pids() >= 1, stats.toString());
        assertEquals(256L << 20, stats.memoryLimitBytes());
    }

    @Test
    void memoryLimitKillsAProcessThatWantsMore() throws Exception {
        Path memwriter = CgroupTestSupport.testfs().resolve("rootfs/bin/memwriter");
        assertTrue(Files.isExecutable(memwriter), "run scripts/testfs first: " + memwriter);
        Cgroup c = create(new ResourceLimits(32L << 20, 0, 0));
        assertEquals(0, c.oomKills());
        // The shell waits for a line so that memwriter starts only once it is in the cgroup.
        Process p = support.start(CgroupTestSupport.busybox().toString(), "sh", "-c",
                "read x; exec " + memwriter + " 128");
        c.addProcess((int) p.pid());
        try (OutputStream in = p.getOutputStream()) {
            in.write("go\n".getBytes(StandardCharsets.US_ASCII));
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "memwriter 128 MiB survived a 32 MiB limit");
        assertEquals(128 + 9, p.exitValue(), "not killed by SIGKILL");
        assertTrue(c.oomKills() > 0, "oom_kill not counted");
    }

    @Test
    void destroyKillsStragglersRemovesEverythingAndIsIdempotent() throws Exception {
        Cgroup c = create(new ResourceLimits(64L << 20, 1000, 20));
        Process sleeper = support.start(CgroupTestSupport.busybox().toString(), "sleep", "600");
        c.addProcess((int) sleeper.pid());
        c.freeze(); // a frozen straggler must die too
        c.destroy();
        assertTrue(sleeper.waitFor(5, TimeUnit.SECONDS));
        for (String controller : c.paths().keySet()) {
            Path dir = Path.of("/sys/fs/cgroup", controller.startsWith("name=") ? controller.substring(5) : controller,
                    "godwit", c.name());
            assertFalse(Files.exists(dir), dir.toString());
        }
        c.destroy();
        assertThrows(IOException.class, () -> manager.open(c.name()));
    }

    private static long lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    }

    private static void waitForLines(Path file, long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lines(file) < n) {
            assertTrue(System.nanoTime() < deadline, "fewer than " + n + " lines in " + file);
            Thread.sleep(20);
        }
    }
}
