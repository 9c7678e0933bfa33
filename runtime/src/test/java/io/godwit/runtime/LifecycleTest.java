package io.godwit.runtime;

import static io.godwit.runtime.Fixture.await;
import static io.godwit.runtime.Fixture.lastCount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.runtime.ContainerState.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Start, logs, stop, kill, crash, errors, re-attach: real processes, no cgroups needed. */
class LifecycleTest {
    private Fixture fx;
    private ContainerRuntime rt;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(false);
        rt = fx.runtime;
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private String created(String base, List<String> cmd) throws Exception {
        String n = Fixture.name(base);
        rt.create(n, ContainerSpec.of("testfs", cmd), null);
        return n;
    }

    @Test
    void counterOutputGrowsInConsoleLog() throws Exception {
        String n = created("count", List.of("counter"));
        assertEquals(Status.CREATED, rt.state(n).status());
        ContainerState st = rt.start(n);
        assertEquals(Status.RUNNING, st.status());
        assertTrue(st.initPid() > 0 && st.monitorPid() > 0);
        Path log = rt.logFile(n);
        await("counter reaches 5", Duration.ofSeconds(10), () -> lastCount(log) >= 5);
        long a = lastCount(log);
        await("counter grows", Duration.ofSeconds(5), () -> lastCount(log) > a);
        // the init is a session leader in its own pid namespace, on its own root, not the JVM's child
        ProcInfo init = ProcInfo.read(st.initPid());
        assertEquals(st.monitorPid(), init.ppid());
        assertTrue(ProcInfo.read(st.monitorPid()).ppid() != ProcessHandle.current().pid());
        assertTrue(Files.readSymbolicLink(Path.of("/proc/" + st.initPid() + "/ns/pid"))
                .compareTo(Files.readSymbolicLink(Path.of("/proc/self/ns/pid"))) != 0);
        assertEquals("/", Files.readSymbolicLink(Path.of("/proc/" + st.initPid() + "/root")).toString());
        assertTrue(Files.readSymbolicLink(Path.of("/proc/" + st.initPid() + "/fd/1")).toString().startsWith("pipe:"));
        assertEquals(n, rt.list().stream().filter(c -> c.name().equals(n)).findFirst().orElseThrow().name());
        assertThrows(IllegalStateException.class, () -> rt.start(n));
        assertThrows(IllegalStateException.class, () -> rt.delete(n));

        ContainerState stopped = rt.stop(n, Duration.ofMillis(300));
        assertEquals(Status.STOPPED, stopped.status());
        assertNotNull(stopped.exit());
        // pid 1 without a TERM handler ignores SIGTERM from outside: it ends by SIGKILL
        assertEquals(9, stopped.exit().signal());
        assertTrue(ProcInfo.live(st.initPid()) == null);
        await("monitor exits", Duration.ofSeconds(5), () -> ProcInfo.live(st.monitorPid()) == null);
        rt.delete(n);
        assertThrows(NoSuchContainerException.class, () -> rt.state(n));
    }

    @Test
    void forcedDeleteWaitsForTheMonitorsLastWrites() throws Exception {
        // The monitor reaps the init and writes exit.json after the init is gone; a delete that
        // removed the directory in between failed under load with DirectoryNotEmptyException.
        // A stopped monitor makes that window as long as the test wants.
        String n = created("del", List.of("counter"));
        ContainerState st = rt.start(n);
        Path dir = fx.tmp.resolve("containers").resolve(n);
        signal("STOP", st.monitorPid());
        var deleting = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                rt.delete(n, true);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        try {
            await("init killed", Duration.ofSeconds(5), () -> ProcInfo.live(st.initPid()) == null);
            Thread.sleep(500);
            assertFalse(deleting.isDone(), "delete went on while the monitor had still to write its exit");
            assertTrue(Files.isDirectory(dir));
        } finally {
            signal("CONT", st.monitorPid());
        }
        deleting.get(15, java.util.concurrent.TimeUnit.SECONDS);
        assertFalse(Files.exists(dir), "directory of " + n + " left behind");
        assertThrows(NoSuchContainerException.class, () -> rt.state(n));
    }

    private static void signal(String sig, int pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + sig, Integer.toString(pid)).inheritIO().start().waitFor());
    }

    @Test
    void shellHonoursTermTrap() throws Exception {
        String n = created("trap", List.of("sh", "-c", "trap 'echo bye; exit 3' TERM; while true; do sleep 0.1; done"));
        rt.start(n);
        Thread.sleep(300);
        ContainerState st = rt.stop(n, Duration.ofSeconds(5));
        assertEquals(Status.STOPPED, st.status());
        assertEquals(3, st.exit().exitCode());
        await("bye in log", Duration.ofSeconds(3), () -> Fixture.read(rt.logFile(n)).contains("bye"));
    }

    @Test
    void killSendsSignal() throws Exception {
        String n = created("kill", List.of("counter"));
        ContainerState st = rt.start(n);
        rt.kill(n, 9);
        await("stopped", Duration.ofSeconds(5), () -> {
            try {
                return rt.state(n).status() == Status.STOPPED;
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertEquals(9, rt.state(n).exit().signal());
        assertTrue(ProcInfo.live(st.initPid()) == null);
        assertThrows(IllegalStateException.class, () -> rt.kill(n, 9));
    }

    @Test
    void crashIsRecordedWithExitCode() throws Exception {
        String n = created("crash", List.of("sh", "-c", "echo dying; echo oops >&2; exit 7"));
        rt.start(n);
        await("stopped", Duration.ofSeconds(5), () -> {
            try {
                return rt.state(n).status() == Status.STOPPED;
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        ContainerState st = rt.state(n);
        assertEquals(7, st.exit().exitCode());
        assertEquals(0, st.exit().signal());
        await("log", Duration.ofSeconds(3), () -> Fixture.read(rt.logFile(n)).contains("oops"));
        assertTrue(Fixture.read(rt.logFile(n)).contains("dying"));
        // restart from STOPPED is allowed and clears the old exit
        rt.start(n);
        await("stopped again", Duration.ofSeconds(5), () -> {
            try {
                return rt.state(n).status() == Status.STOPPED;
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void missingCommandGivesClearErrorAndLeavesNothingRunning() throws Exception {
        String n = created("nocmd", List.of("no-such-program", "x"));
        ContainerException e = assertThrows(ContainerException.class, () -> rt.start(n));
        assertTrue(e.getMessage().contains("exec no-such-program") && e.getMessage().contains("No such file"),
                e.getMessage());
        assertTrue(e.getMessage().contains(n), e.getMessage());
        assertEquals(Status.CREATED, rt.state(n).status());
        assertFalse(Files.exists(fx.tmp.resolve("containers").resolve(n).resolve("init.pid")));
        assertNoMountsUnder(fx.tmp);
        rt.delete(n);
        assertFalse(Files.exists(fx.tmp.resolve("containers").resolve(n)));
    }

    @Test
    void badCwdIsReported() throws Exception {
        String n = Fixture.name("cwd");
        rt.create(n, new ContainerSpec("testfs", List.of("true"), null, "/nowhere", null, null, null, null, null), null);
        ContainerException e = assertThrows(ContainerException.class, () -> rt.start(n));
        assertTrue(e.getMessage().contains("chdir /nowhere"), e.getMessage());
    }

    @Test
    void badRootfsGivesClearError() throws Exception {
        String n = Fixture.name("badroot");
        rt.create(n, ContainerSpec.of("badroot", List.of("true")), null);
        ContainerException e = assertThrows(ContainerException.class, () -> rt.start(n));
        assertTrue(e.getMessage().contains("rootfs") && e.getMessage().contains("Not a directory"), e.getMessage());
        assertNoMountsUnder(fx.tmp);
        rt.delete(n);
        assertFalse(Files.exists(fx.tmp.resolve("containers").resolve(n)));
    }

    @Test
    void createWithUnknownImageLeavesNothing() throws Exception {
        String n = Fixture.name("noimg");
        assertThrows(Exception.class, () -> rt.create(n, ContainerSpec.of("nope", List.of("true")), null));
        assertFalse(Files.exists(fx.tmp.resolve("containers").resolve(n)));
        assertThrows(NoSuchContainerException.class, () -> rt.state(n));
    }

    @Test
    void newRuntimeReattachesAndStops() throws Exception {
        String n = created("reattach", List.of("counter"));
        ContainerState st = rt.start(n);
        ContainerRuntime second = fx.newRuntime();
        ContainerState seen = second.state(n);
        assertEquals(Status.RUNNING, seen.status());
        assertEquals(st.initPid(), seen.initPid());
        assertEquals(st.monitorPid(), seen.monitorPid());
        ContainerState stopped = second.stop(n, Duration.ofMillis(200));
        assertEquals(Status.STOPPED, stopped.status());
        assertEquals(Status.STOPPED, rt.state(n).status());
    }

    @Test
    void deathWhileNoOneWatchesShowsStoppedWithExit() throws Exception {
        String n = created("unwatched", List.of("sh", "-c", "sleep 0.3; exit 5"));
        rt.start(n);
        Thread.sleep(1000);
        ContainerRuntime second = fx.newRuntime();
        ContainerState st = second.state(n);
        assertEquals(Status.STOPPED, st.status());
        assertEquals(5, st.exit().exitCode());
    }

    @Test
    void reusedPidIsNotTakenForTheInit() throws Exception {
        String n = created("pidreuse", List.of("counter"));
        ContainerState st = rt.start(n);
        Path stateFile = fx.tmp.resolve("containers").resolve(n).resolve("state.json");
        // pretend the recorded init started at another time: it is then someone else's process
        String json = Files.readString(stateFile).replaceAll("\"initStartTime\" : \\d+", "\"initStartTime\" : 1");
        Files.writeString(stateFile, json);
        assertEquals(Status.STOPPED, fx.newRuntime().state(n).status());
        Posix.POSIX.kill(st.initPid(), 9);
    }

    @Test
    void envHostnameCwdAndVolume() throws Exception {
        Path vol = Files.createDirectories(fx.tmp.resolve("vol"));
        Files.writeString(vol.resolve("in.txt"), "from-host\n");
        String n = Fixture.name("env");
        rt.create(n, new ContainerSpec("testfs",
                List.of("sh", "-c", "echo H=$(hostname) G=$GREETING P=$(pwd); cat /data/in.txt; echo out > /data/out.txt;"
                        + " ls /dev; cat /proc/self/mountinfo | grep -c ' /data '"),
                Map.of("GREETING", "hello"), "/tmp", "box1", List.of(new VolumeMount(vol.toString(), "/data", false)),
                null, null, null), null);
        rt.start(n);
        await("stopped", Duration.ofSeconds(5), () -> Files.exists(fx.tmp.resolve("containers").resolve(n).resolve("exit.json")));
        String log = Fixture.read(rt.logFile(n));
        assertTrue(log.contains("H=box1 G=hello P=/tmp"), log);
        assertTrue(log.contains("from-host"), log);
        assertTrue(log.contains("urandom") && log.contains("ptmx") && log.contains("shm"), log);
        assertEquals("out\n", Files.readString(vol.resolve("out.txt")));
        assertEquals(0, rt.state(n).exit().exitCode());
    }

    @Test
    void invalidTransitionsNameContainerStateAndOperation() throws Exception {
        String n = created("trans", List.of("counter"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> rt.stop(n, Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains(n) && e.getMessage().contains("CREATED") && e.getMessage().contains("stop"),
                e.getMessage());
        assertThrows(IllegalStateException.class, () -> rt.checkpointTarget(n));
        assertThrows(IllegalStateException.class, () -> rt.create(n, ContainerSpec.of("testfs", List.of("x")), null));
        assertThrows(NoSuchContainerException.class, () -> rt.start("ghost-" + n));
        assertThrows(IllegalArgumentException.class, () -> rt.state("../etc"));
    }

    static void assertNoMountsUnder(Path dir) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            assertFalse(line.split(" ")[4].startsWith(dir.toString()), "leaked mount: " + line);
        }
    }

    @Test
    void aCreateCutShortIsDiscardedAndAContainerIsNot() throws Exception {
        String cut = Fixture.runName("cut"), kept = Fixture.runName("kept");
        // what a daemon killed inside create leaves: the directory, no state file
        Path dir = fx.tmp.resolve("containers").resolve(cut);
        Files.createDirectories(dir.resolve("rootfs"));
        Files.writeString(dir.resolve("spec.json"), "{}");
        assertTrue(rt.list().stream().noneMatch(c -> c.name().equals(cut)), "not a container to list");
        assertThrows(IllegalStateException.class, () -> rt.create(cut, ContainerSpec.of("testfs", List.of("true")), null));
        assertTrue(rt.discardUnfinished(cut));
        assertFalse(Files.exists(dir));
        rt.create(cut, ContainerSpec.of("testfs", List.of("true")), null); // the name is free again

        rt.create(kept, ContainerSpec.of("testfs", List.of("true")), null);
        assertFalse(rt.discardUnfinished(kept), "a recorded container is never discarded as unfinished");
        assertEquals(Status.CREATED, rt.state(kept).status());
        assertFalse(rt.discardUnfinished(Fixture.runName("none")));
    }
}
