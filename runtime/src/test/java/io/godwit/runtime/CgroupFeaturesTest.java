package io.godwit.runtime;

import static io.godwit.runtime.Fixture.await;
import static io.godwit.runtime.Fixture.lastCount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.runtime.ContainerState.Status;
import io.godwit.runtime.cgroup.CgroupStats;
import io.godwit.runtime.cgroup.ResourceLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pause/resume, limits, stats and exec: needs the cgroup managers of runtime-host. */
class CgroupFeaturesTest {
    private Fixture fx;
    private ContainerRuntime rt;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(true);
        rt = fx.runtime;
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    @Test
    void pauseStopsCountingAndResumeContinues() throws Exception {
        String n = Fixture.name("pause");
        rt.create(n, ContainerSpec.of("testfs", List.of("counter")), null);
        rt.start(n);
        await("counting", Duration.ofSeconds(10), () -> lastCount(rt.logFile(n)) >= 3);
        assertEquals(Status.PAUSED, rt.pause(n).status());
        assertThrows(IllegalStateException.class, () -> rt.pause(n));
        Thread.sleep(200);
        long frozen = lastCount(rt.logFile(n));
        Thread.sleep(500);
        assertEquals(frozen, lastCount(rt.logFile(n)));
        assertEquals(Status.PAUSED, fx.newRuntime().state(n).status());
        assertEquals(Status.RUNNING, rt.resume(n).status());
        await("counting again", Duration.ofSeconds(5), () -> lastCount(rt.logFile(n)) > frozen + 2);
        rt.pause(n);
        // stopping a paused container works (it is thawed so the kill lands)
        assertEquals(Status.STOPPED, rt.stop(n, Duration.ofMillis(200)).status());
    }

    @Test
    void aPauseWhoseStateCannotBeWrittenFreezesNothing() throws Exception {
        String n = Fixture.name("pausefail");
        rt.create(n, ContainerSpec.of("testfs", List.of("counter")), null);
        rt.start(n);
        await("counting", Duration.ofSeconds(10), () -> lastCount(rt.logFile(n)) >= 3);
        Path dir = rt.logFile(n).getParent();
        assertEquals(0, new ProcessBuilder("chattr", "+i", dir.toString()).inheritIO().start().waitFor());
        try {
            assertThrows(IOException.class, () -> rt.pause(n), "no state.json can be written in an immutable dir");
        } finally {
            new ProcessBuilder("chattr", "-i", dir.toString()).inheritIO().start().waitFor();
        }
        assertEquals(Status.RUNNING, rt.state(n).status());
        long before = lastCount(rt.logFile(n));
        await("still counting: not left frozen", Duration.ofSeconds(5), () -> lastCount(rt.logFile(n)) > before + 2);
        rt.stop(n, Duration.ofMillis(200));
    }

    @Test
    void memoryLimitKillsContainerThatExceedsIt() throws Exception {
        String n = Fixture.name("oom");
        rt.create(n, ContainerSpec.of("testfs", List.of("memwriter", "64"))
                .withLimits(new ResourceLimits(32L << 20, 0, 0)), null);
        rt.start(n);
        await("killed by the limit", Duration.ofSeconds(20), () -> fx.status(n) == Status.STOPPED);
        ContainerState st = rt.state(n);
        assertEquals(9, st.exit().signal(), "exit " + st.exit());
        assertTrue(fx.cgroups.open(n).oomKills() >= 1);
    }

    @Test
    void memoryWithinLimitRunsAndStatsReportIt() throws Exception {
        String n = Fixture.name("stats");
        rt.create(n, ContainerSpec.of("testfs", List.of("memwriter", "16"))
                .withLimits(new ResourceLimits(64L << 20, 500, 64)), null);
        rt.start(n);
        await("a verified pass", Duration.ofSeconds(10), () -> Fixture.read(rt.logFile(n)).contains("ok "));
        CgroupStats s = rt.stats(n);
        assertTrue(s.memoryBytes() >= 16L << 20, s.toString());
        assertEquals(64L << 20, s.memoryLimitBytes());
        assertTrue(s.cpuNanos() > 0, s.toString());
        assertTrue(s.pids() >= 1, s.toString());
        assertTrue(!Fixture.read(rt.logFile(n)).contains("CORRUPT"));
    }

    @Test
    void execRunsInsideTheContainer() throws Exception {
        String n = Fixture.name("exec");
        rt.create(n, ContainerSpec.of("testfs", List.of("counter")), null);
        rt.start(n);
        await("count file", Duration.ofSeconds(10), () -> lastCount(rt.logFile(n)) >= 3);
        ExecResult r = rt.exec(n, List.of("cat", "/tmp/count"), Duration.ofSeconds(10));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(Long.parseLong(r.stdout().trim()) >= 3, r.stdout());
        ExecResult h = rt.exec(n, List.of("sh", "-c", "hostname; echo $$; echo err >&2; exit 4"), Duration.ofSeconds(10));
        assertEquals(4, h.exitCode());
        assertTrue(h.stdout().startsWith(n + "\n"), h.stdout());
        assertTrue(h.stderr().contains("err"));
        ExecResult t = rt.exec(n, List.of("sleep", "30"), Duration.ofMillis(300));
        assertTrue(t.timedOut());

        // 64 MiB of output: exec keeps the first MiB and says so; a streamed exec hands over every byte
        List<String> big = List.of("head", "-c", Integer.toString(64 << 20), "/dev/zero");
        ExecResult cut = rt.exec(n, big, Duration.ofSeconds(60));
        assertEquals(0, cut.exitCode(), cut.stderr());
        assertTrue(cut.truncated());
        assertEquals(ContainerRuntime.EXEC_OUTPUT_CAP, cut.stdout().length());
        try (ExecProcess p = rt.startExec(n, big)) {
            assertEquals(64L << 20, p.stdout().transferTo(java.io.OutputStream.nullOutputStream()));
            assertEquals(new ExecProcess.Exit(0, false), p.await(Duration.ofSeconds(30)));
        }
    }
}
