package io.godwit.runtime;

import static io.godwit.runtime.Fixture.await;
import static io.godwit.runtime.Fixture.lastCount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.godwit.runtime.ContainerState.Status;
import io.godwit.runtime.cgroup.CgroupV2Manager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The monitor's fence (fence.c), which holds when the daemon is gone: a deadline handed to a running
 * container's monitor and not pushed back freezes the container (the monitor marks it fenced, and
 * freezes it again if something thaws it); a new deadline stops that but never thaws; the daemon's
 * unfence thaws. On cgroup v1 (this host's freezer) and on v2 (the unified mount of a hybrid host).
 */
class MonitorFenceTest {
    private static final Duration WINDOW = Duration.ofSeconds(1);
    private static final Duration FREEZE = Duration.ofSeconds(2);
    private Fixture fx;
    private Path v2parent;

    @AfterEach
    void tearDown() throws Exception {
        if (fx != null) {
            fx.close();
        }
        if (v2parent != null) {
            Files.deleteIfExists(v2parent);
        }
    }

    @Test
    void onCgroupV1() throws Exception {
        fx = new Fixture(true);
        fencesAndUnfences(fx.runtime);
    }

    @Test
    void onCgroupV2() throws Exception {
        Optional<Path> root = Optional.empty();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f[2].equals("cgroup2") && (root.isEmpty() || f[1].equals("/sys/fs/cgroup"))) {
                root = Optional.of(Path.of(f[1]));
            }
        }
        assumeTrue(root.isPresent(), "no cgroup2 mount");
        String parentName = Fixture.runName("godwit-rt") + "-fence";
        v2parent = root.get().resolve(parentName);
        fx = new Fixture(new CgroupV2Manager(root.get(), parentName));
        fencesAndUnfences(fx.runtime);
    }

    private static boolean fenced(ContainerRuntime rt, String n) {
        try {
            return rt.fencedByMonitor(n).isPresent();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static boolean counting(ContainerRuntime rt, String n) throws Exception {
        long a = lastCount(rt.logFile(n));
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < end) {
            if (lastCount(rt.logFile(n)) > a) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Still at the same count after 1.5 s (the counter prints every 0.1 s). */
    private static boolean stands(ContainerRuntime rt, String n) throws Exception {
        long a = lastCount(rt.logFile(n));
        Thread.sleep(1500);
        return lastCount(rt.logFile(n)) == a;
    }

    private void fencesAndUnfences(ContainerRuntime rt) throws Exception {
        String n = Fixture.name("fence");
        rt.create(n, ContainerSpec.of("testfs", List.of("counter")), null);
        rt.start(n);
        await("counting", Duration.ofSeconds(10), () -> lastCount(rt.logFile(n)) >= 3);

        // a deadline kept pushed back: nothing happens
        for (int i = 0; i < 6; i++) {
            assertTrue(rt.armFence(n, System.nanoTime() + WINDOW.toNanos(), WINDOW, FREEZE));
            Thread.sleep(300);
        }
        assertTrue(rt.fenceArmed(n));
        assertEquals(Optional.empty(), rt.fencedByMonitor(n));
        assertTrue(counting(rt, n), "armed and renewed, it runs");

        // no longer pushed back: frozen by the monitor, the state untouched (nobody else knows)
        await("fenced by the monitor", Duration.ofSeconds(10), () -> fenced(rt, n));
        assertEquals(Optional.of("frozen"), rt.fencedByMonitor(n));
        assertTrue(stands(rt, n), "fenced, it stands still");
        assertEquals(Status.RUNNING, rt.state(n).status());

        // thawed behind the fence's back (a checkpoint that ends, say): frozen again
        Path log = rt.logFile(n).getParent().resolve("monitor.log");
        rt.unfence(n);
        await("frozen again", Duration.ofSeconds(5), () -> Fixture.read(log).contains("was thawed while fenced"));
        assertTrue(stands(rt, n), "frozen again, it stands still");

        // a new deadline stops the re-freezing but does not thaw; unfence then thaws for good
        assertTrue(rt.armFence(n, System.nanoTime() + Duration.ofSeconds(60).toNanos(), Duration.ofSeconds(60), FREEZE));
        Thread.sleep(500);
        assertTrue(stands(rt, n), "a new deadline alone never thaws");
        rt.unfence(n);
        assertEquals(Optional.empty(), rt.fencedByMonitor(n));
        assertTrue(counting(rt, n), "unfenced under a live deadline, it runs");
        assertTrue(counting(rt, n), "and keeps running");

        // a deadline far off is cut to the window from its reading: the writer's clock cannot stretch it
        rt.armFence(n, System.nanoTime() + Duration.ofHours(1).toNanos(), WINDOW, FREEZE);
        await("fenced within the window", Duration.ofSeconds(10), () -> fenced(rt, n));
        assertTrue(stands(rt, n));

        // disarmed: re-freezing stops; unfenced, it runs and stays so
        rt.disarmFence(n);
        assertFalse(rt.fenceArmed(n));
        rt.unfence(n);
        assertTrue(counting(rt, n));
        Thread.sleep(1500);
        assertEquals(Optional.empty(), rt.fencedByMonitor(n));
        assertTrue(counting(rt, n), "disarmed, nothing fences it");

        // a new run starts unarmed (the daemon arms it again)
        rt.armFence(n, System.nanoTime() + Duration.ofSeconds(60).toNanos(), Duration.ofSeconds(60), FREEZE);
        rt.stop(n, Duration.ofMillis(200));
        rt.start(n);
        assertFalse(rt.fenceArmed(n));
        assertTrue(counting(rt, n));
    }
}
