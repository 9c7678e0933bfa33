package io.godwit.runtime;

import static io.godwit.runtime.Fixture.await;
import static io.godwit.runtime.Fixture.lastCount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.runtime.ContainerState.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Dump with the real criu, restore through the monitor with swrk + rst_sibling, then adopt. */
class CheckpointRestoreTest {
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
    void checkpointAndRestoreInPlaceContinuesCounting() throws Exception {
        String n = Fixture.name("cr");
        rt.create(n, ContainerSpec.of("testfs", List.of("counter")), null);
        ContainerState started = rt.start(n);
        Path log = rt.logFile(n);
        await("counter >= 5", Duration.ofSeconds(10), () -> lastCount(log) >= 5);

        CheckpointTarget t = rt.checkpointTarget(n);
        assertEquals(started.initPid(), t.initPid());
        assertEquals(2, t.externalPipes().size());
        assertTrue(t.stdioPipes().get("stdout").startsWith("pipe:["));
        assertNotNull(t.freezerPath());
        Path images = fx.tmp.resolve("ck1");
        CriuTestDriver.dump(rt, n, images);
        await("dumped container stops", Duration.ofSeconds(5), () -> fx.status(n) == Status.STOPPED);
        long before = lastCount(log);
        String countBefore = Fixture.read(rt.rootfs(n).resolve("tmp/count")).trim();

        int pid = CriuTestDriver.restore(rt, n, images, t);
        ContainerState st = rt.state(n);
        assertEquals(Status.RUNNING, st.status());
        assertEquals(pid, st.initPid());
        assertEquals(st.monitorPid(), ProcInfo.read(pid).ppid(), "restored init is the monitor's child");
        await("counter continues after restore", Duration.ofSeconds(10), () -> lastCount(log) > before + 3);
        assertTrue(Long.parseLong(Fixture.read(rt.rootfs(n).resolve("tmp/count")).trim()) > Long.parseLong(countBefore));
        // in the container's cgroup again
        assertTrue(Files.readString(Path.of(t.freezerPath(), "cgroup.procs")).contains(Integer.toString(pid)));

        // a new runtime instance re-attaches to the restored container too
        ContainerState stopped = fx.newRuntime().stop(n, Duration.ofMillis(200));
        assertEquals(Status.STOPPED, stopped.status());
        assertEquals(9, stopped.exit().signal());
    }

    @Test
    void restoreUnderNewNameIntoNewRootfsAndCgroupWithVolume() throws Exception {
        Path vol = Files.createDirectories(fx.tmp.resolve("vol"));
        String n = Fixture.name("src");
        rt.create(n, ContainerSpec.of("testfs", List.of("sh", "-c",
                "i=0; while true; do i=$((i+1)); echo $i; echo $i > /data/v; sleep 0.1; done"))
                .withMounts(List.of(new VolumeMount(vol.toString(), "/data", false))), null);
        rt.start(n);
        await("volume written", Duration.ofSeconds(10), () -> lastCount(rt.logFile(n)) >= 5);
        Path images = fx.tmp.resolve("ck2");
        CheckpointTarget t = CriuTestDriver.dump(rt, n, images);
        assertEquals("/data", t.externalMounts().get("vol0"));
        assertEquals(vol.toString(), t.volumeHostPaths().get("vol0"));
        await("stopped", Duration.ofSeconds(5), () -> fx.status(n) == Status.STOPPED);
        long before = Long.parseLong(Files.readString(vol.resolve("v")).trim());

        // what a migration does: ship the change layer, create the container from image + changes elsewhere
        Path changes = fx.tmp.resolve("incoming");
        new ProcessBuilder("cp", "-a", rt.changesDir(n).toString(), changes.toString()).start().waitFor();
        String m = Fixture.name("dst");
        rt.create(m, rt.spec(n), changes);
        assertFalse(Files.exists(changes), "the change layer was moved in");
        int pid = CriuTestDriver.restore(rt, m, images, t);
        assertNotEquals(rt.rootfs(n), rt.rootfs(m));
        assertEquals(Status.RUNNING, rt.state(m).status());
        await("restored writes the volume again", Duration.ofSeconds(10), () -> {
            String v = Fixture.read(vol.resolve("v")).trim();
            return !v.isEmpty() && Long.parseLong(v) > before + 3;
        });
        await("restored logs into its own console.log", Duration.ofSeconds(5), () -> lastCount(rt.logFile(m)) > before);
        String procs = Files.readString(Path.of(rt.checkpointTarget(m).freezerPath(), "cgroup.procs"));
        assertTrue(procs.contains(Integer.toString(pid)), procs);
        assertTrue(rt.checkpointTarget(m).freezerPath().endsWith("/" + m));
        rt.stop(m, Duration.ofMillis(200));
    }

    @Test
    void abortRestoreLeavesNothing() throws Exception {
        String n = Fixture.name("abort");
        rt.create(n, ContainerSpec.of("testfs", List.of("counter")), null);
        int[] sp = new int[2];
        Posix.POSIX.socketpair(1, 5 | 0x80000, 0, sp);
        RestoreLaunch l = rt.launchRestore(n, sp[1]);
        Posix.POSIX.close(sp[1]);
        assertEquals(4, l.inheritFds().get("stdout"));
        assertEquals(5, l.inheritFds().get("stderr"));
        assertTrue(ProcInfo.live(l.monitorPid()) != null);
        assertTrue(ProcInfo.live(l.criuPid()) != null);
        assertThrows(IllegalStateException.class, () -> rt.start(n));
        ContainerState st = rt.abortRestore(n);
        Posix.POSIX.close(sp[0]);
        assertEquals(Status.CREATED, st.status());
        await("monitor and criu gone", Duration.ofSeconds(5),
                () -> ProcInfo.live(l.monitorPid()) == null && ProcInfo.live(l.criuPid()) == null);
        assertThrows(java.io.IOException.class, () -> fx.cgroups.open(n));
    }

    @Test
    void failedRestoreIsReportedAndAborted() throws Exception {
        String n = Fixture.name("badimg");
        rt.create(n, ContainerSpec.of("testfs", List.of("counter")), null);
        Path empty = Files.createDirectories(fx.tmp.resolve("empty-images"));
        CheckpointTarget fake = new CheckpointTarget(1, rt.rootfs(n), java.util.Map.of(), java.util.Map.of(),
                List.of("pipe:[1]", "pipe:[2]"), java.util.Map.of("stdout", "pipe:[1]", "stderr", "pipe:[2]"), null,
                java.util.Map.of(), null, rt.spec(n));
        assertThrows(java.io.IOException.class, () -> CriuTestDriver.restore(rt, n, empty, fake));
        assertEquals(Status.CREATED, rt.state(n).status());
        rt.delete(n);
    }
}
