package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A lazy move makes its target ready before the source freezes: the container made (rootfs mounted,
 * cgroup), its monitor spawned with criu waiting, a tunnel to the source. When the move ends before
 * the freeze, all of that must go from the target, and the container must run on the source, once.
 * Daemon a holds every lazy move between the target's preparation and the freeze (fault injection,
 * phase "hold"), so that the tests act at that point and nowhere else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PreparedTargetEndToEndTest {
    private TestHosts hosts;

    @BeforeAll
    void up() throws Exception {
        hosts = TestHosts.up("godwit-pt", Map.of("GODWITD_JAVA_OPTS_A", "-Dgodwit.fault.holdBeforeFreezeMs=240000"));
    }

    @AfterEach
    void clean() throws Exception {
        hosts.deleteAllContainers();
    }

    @AfterAll
    void down() throws Exception {
        if (hosts != null) {
            hosts.close();
        }
    }

    /** What the target holds of a prepared container: its processes, mounts and cgroups. */
    private record Held(List<String> processes, List<String> mounts, List<Path> cgroups) {
        boolean isEmpty() {
            return processes.isEmpty() && mounts.isEmpty() && cgroups.isEmpty();
        }
    }

    private Held held(String node, String name) throws IOException {
        String containerDir = hosts.root(node).resolve("containers").resolve(name).toString();
        List<String> processes = new ArrayList<>();
        List<Integer> monitors = new ArrayList<>();
        try (var procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                String cmd = cmdline(p);
                if (cmd.contains(containerDir + " ") || cmd.endsWith(containerDir)) {
                    processes.add(p.getFileName() + " " + cmd);
                    monitors.add(Integer.parseInt(p.getFileName().toString()));
                }
            }
        }
        try (var procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) { // their children: the waiting criu
            for (Path p : procs) {
                if (monitors.contains(parent(p))) {
                    processes.add(p.getFileName() + " " + cmdline(p));
                }
            }
        }
        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.contains(containerDir + "/") || l.contains(containerDir + " ")).toList();
        List<Path> cgroups = new ArrayList<>();
        try (var hierarchies = Files.newDirectoryStream(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies) {
                Path cg = h.resolve(hosts.name + "-" + node).resolve(name);
                if (Files.isDirectory(cg)) {
                    cgroups.add(cg);
                }
            }
        }
        return new Held(processes, mounts, cgroups);
    }

    private static String cmdline(Path proc) {
        try {
            return new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException gone) {
            return "";
        }
    }

    private static int parent(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
        } catch (IOException | RuntimeException gone) {
            return -1;
        }
    }

    /** Starts a lazy move of a counter and returns once b prepared it and a holds before the freeze. */
    private String preparedMove(String name) throws Exception {
        hosts.launch("a", name, "/bin/counter", "50");
        TestContainers.awaitCountAbove(hosts.a(), name, 3);
        String id = hosts.startMove(name, "hostb", "lazy", null);
        JsonNode at = hosts.awaitPhase("a", id, "hold");
        assertEquals("hold", at.path("phase").asText(), "the move did not get to the hold before the freeze: " + at);
        assertEquals(List.of(name + ":CREATED"), hosts.containers("b"), "b did not make the container ready");
        Held ready = held("b", name);
        assertFalse(ready.processes().isEmpty(), "no monitor waits on b: " + ready);
        assertTrue(ready.processes().stream().anyMatch(p -> p.contains("criu swrk")), "no criu waits on b: " + ready);
        assertFalse(ready.mounts().isEmpty(), "the rootfs is not mounted on b: " + ready);
        assertFalse(ready.cgroups().isEmpty(), "no cgroup on b: " + ready);
        return id;
    }

    private void awaitNothingOnB(String name) throws Exception {
        for (int i = 0; i < 300 && (!hosts.containers("b").isEmpty() || !hosts.staging("b").isEmpty()
                || !held("b", name).isEmpty()); i++) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), hosts.containers("b"), "a container stayed on b");
        assertEquals(List.of(), hosts.staging("b"), "staging stayed on b");
        Held left = held("b", name);
        assertTrue(left.isEmpty(), "b kept what it had prepared: " + left);
        assertFalse(Files.exists(hosts.root("b").resolve("containers").resolve(name)), "the container dir stayed on b");
    }

    private void assertRunsOnceOnA(String name) throws Exception {
        assertEquals(List.of(name + ":RUNNING"), hosts.containers("a"));
        assertEquals(List.of(), hosts.containers("b"));
        long seen = TestContainers.count(hosts.a(), name);
        TestContainers.awaitCountAbove(hosts.a(), name, seen);
    }

    /** The move fails before the freeze (here: cancelled): b takes away everything it had prepared. */
    @Test
    void aMoveThatEndsBeforeTheFreezeTearsDownThePreparedTarget() throws Exception {
        String id = preparedMove("prep1");
        assertEquals(202, hosts.a().send("DELETE", "/1.0/operations/" + id, null).status());
        JsonNode op = hosts.awaitOperation("a", id);
        assertEquals("cancelled", op.get("status").asText(), op.toString());
        assertTrue(op.get("error").asText().contains("during hold"), op.toString());
        awaitNothingOnB("prep1");
        assertRunsOnceOnA("prep1");
    }

    /**
     * The source daemon dies after b prepared: b sees its session to the source break and takes the
     * prepared container away by itself, without waiting for the source to come back; back up, the
     * source still runs its container (never frozen) and nothing is on b.
     */
    @Test
    void aPreparedTargetWhoseSourceDiesTearsItselfDown() throws Exception {
        preparedMove("prep2");
        hosts.script("kill", "a");
        awaitNothingOnB("prep2");
        hosts.script("start", "a");
        hosts.awaitContainers("a", List.of("prep2:RUNNING"));
        assertRunsOnceOnA("prep2");
        awaitNothingOnB("prep2");
    }
}
