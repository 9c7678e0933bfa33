package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of process state of scripts/testprogs through every operation: a local checkpoint
 * --stop and restore, a leave-running checkpoint, a warm start from it, and cold and lazy moves
 * between two real daemons. Each program checks its own state on SIGUSR1 and answers "ok STATE"
 * or "FAIL STATE why"; it is checked before the operation (so a failure after it is the
 * operation's) and after it, in the container that runs then.
 *
 * <p>When Godwit fails a case, the test asks plain CRIU (plain-criu-probe.sh: the same program in
 * namespaces on an overlay, dumped and restored with the criu command line): if plain CRIU cannot
 * either, the case is a limit of this kernel and CRIU and is reported as an aborted assumption with
 * CRIU's reason; if plain CRIU can, Godwit's failure stands.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompatibilityEndToEndTest {

    /** A kind of state: the name its program answers with, and the program with its arguments. */
    record Kind(String state, List<String> command) {
        static Kind of(String state, String... command) {
            return new Kind(state, List.of(command));
        }
    }

    enum Op {
        STOP_RESTORE("stop"), LEAVE_RUNNING("live"), WARM_START("warm"), COLD_MOVE("cold"), LAZY_MOVE("lazy");

        final String tag;

        Op(String tag) {
            this.tag = tag;
        }
    }

    static final List<Kind> KINDS = List.of(
            Kind.of("unlinked-own", "/bin/unlinked", "own"),
            Kind.of("unlinked-image", "/bin/unlinked", "image"),
            Kind.of("inotify", "/bin/inotify"),
            Kind.of("fanotify", "/bin/fanotify"),
            Kind.of("stopped", "/bin/stopped"),
            Kind.of("lock-flock", "/bin/locks", "flock"),
            Kind.of("lock-posix", "/bin/locks", "posix"),
            Kind.of("lock-ofd", "/bin/locks", "ofd"),
            Kind.of("inode", "/bin/inode"),
            Kind.of("timers", "/bin/timers"),
            Kind.of("timerfd", "/bin/timerfd"),
            Kind.of("eventfd", "/bin/eventfd"),
            Kind.of("signalfd", "/bin/signalfd"),
            Kind.of("epoll", "/bin/epoll"),
            Kind.of("pipes", "/bin/pipes"),
            Kind.of("unix-sockets", "/bin/unixsk"),
            Kind.of("shm-sysv", "/bin/shm", "sysv"),
            Kind.of("shm-posix", "/bin/shm", "posix"),
            Kind.of("semaphores", "/bin/semaphores"),
            Kind.of("msgqueues", "/bin/msgqueues"),
            Kind.of("threads", "/bin/threads"),
            Kind.of("zombie", "/bin/zombie"),
            Kind.of("sessions", "/bin/sessions"),
            Kind.of("memfd", "/bin/memfd"),
            Kind.of("vdso", "/bin/vdso"),
            Kind.of("fpu", "/bin/fpu"),
            Kind.of("pty", "/bin/pty"));

    private static final Duration OPERATION_TIMEOUT = Duration.ofMinutes(3);
    private TestHosts hosts;
    /** Plain CRIU's verdict per state, probed at most once (only for a case Godwit failed). */
    private final Map<String, String> plainCriu = new ConcurrentHashMap<>();

    static Stream<Arguments> cases() {
        String only = System.getProperty("compat.only", "");
        return KINDS.stream().filter(k -> only.isEmpty() || List.of(only.split(",")).contains(k.state()))
                .flatMap(k -> Stream.of(Op.values()).map(op -> Arguments.of(k.state(), op)));
    }

    @BeforeAll
    void up() throws Exception {
        hosts = TestHosts.up("godwit-cp", Map.of());
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

    @ParameterizedTest(name = "{0} through {1}")
    @MethodSource("cases")
    void stateSurvives(String state, Op op) throws Exception {
        Kind kind = KINDS.stream().filter(k -> k.state().equals(state)).findFirst().orElseThrow();
        String name = "c-" + state + "-" + op.tag;
        if (state.equals("fanotify")) {
            // fanotify_init needs CAP_SYS_ADMIN, which a default (confined) container lacks, as in
            // Docker: the program runs with it added, as a user who needs fanotify would run it
            ApiResponse r = hosts.a().post("/1.0/containers", Map.of("name", name, "spec", Map.of("image", "busybox",
                    "command", kind.command(), "security", Map.of("capAdd", List.of("SYS_ADMIN")))));
            assertEquals(201, r.status(), r.body());
        } else {
            hosts.launch("a", name, kind.command().toArray(String[]::new));
        }
        awaitReady("a", name, state);
        assertEquals("ok " + state, verdict("a", name), "the program's own check failed before any operation");

        // Inode numbers are the file system's: a clone or a move gets new ones, whatever CRIU does.
        Assumptions.assumeFalse(state.equals("inode") && op != Op.STOP_RESTORE && op != Op.LEAVE_RUNNING,
                "inode numbers can only survive on the same file system; " + op + " makes a new one");
        Where after = operate(op, name, kind);
        String v = verdict(after.node(), after.name());
        // A local restore of the checkpoint that stopped the container is made onto its own change
        // layer, untouched since (UpperStamp), so the files keep their inode numbers.
        if (!v.equals("ok " + state)) {
            explainFailure(kind, op, "after the operation the program says: " + v);
        }
    }

    /** The container that runs the program after the operation. */
    private record Where(String node, String name) {
    }

    private Where operate(Op op, String name, Kind kind) throws Exception {
        switch (op) {
            case STOP_RESTORE -> {
                succeed(kind, op, "a", hosts.a().post("/1.0/containers/" + name + "/checkpoints", Map.of("stop", true)));
                succeed(kind, op, "a", hosts.a().post("/1.0/containers/" + name + "/restore", Map.of("latest", true)));
                return new Where("a", name);
            }
            case LEAVE_RUNNING -> {
                succeed(kind, op, "a", hosts.a().post("/1.0/containers/" + name + "/checkpoints", Map.of()));
                return new Where("a", name);
            }
            case WARM_START -> {
                JsonNode cp = succeed(kind, op, "a", hosts.a().post("/1.0/containers/" + name + "/checkpoints", Map.of()));
                String id = cp.path("result").path("checkpoint").path("id").asText();
                String clone = name + "-clone";
                succeed(kind, op, "a", hosts.a().post("/1.0/containers", Map.of("name", clone,
                        "from", Map.of("container", name, "checkpoint", id), "count", 1)));
                return new Where("a", clone);
            }
            case COLD_MOVE, LAZY_MOVE -> {
                String id = hosts.startMove(name, "hostb", op == Op.COLD_MOVE ? "cold" : "lazy", null);
                JsonNode done = hosts.host("a").waitOperation(id, OPERATION_TIMEOUT, o -> { });
                if (!done.path("status").asText().equals("success")) {
                    explainFailure(kind, op, "the move failed: " + done.path("error").asText(done.toString()));
                }
                return new Where("b", name);
            }
            default -> throw new IllegalArgumentException(op.name());
        }
    }

    private JsonNode succeed(Kind kind, Op op, String node, ApiResponse started) throws Exception {
        assertEquals(202, started.status(), started.body());
        JsonNode done = hosts.host(node).waitOperation(started.json().get("id").asText(), OPERATION_TIMEOUT, o -> { });
        if (!done.path("status").asText().equals("success")) {
            explainFailure(kind, op, done.path("kind").asText() + " failed: " + done.path("error").asText(done.toString()));
        }
        return done;
    }

    /**
     * Godwit failed this case: if plain CRIU cannot do it either on this host, the case is aborted
     * with CRIU's reason (a limit of kernel and CRIU, not of Godwit); else it is Godwit's failure.
     */
    private void explainFailure(Kind kind, Op op, String godwitSays) throws Exception {
        String probe = plainCriu.computeIfAbsent(kind.state(), s -> probePlainCriu(kind));
        Assumptions.assumeTrue(probe.equals("probe: ok"), () -> "plain CRIU on this host cannot do "
                + kind.state() + " either (" + probe + "); through Godwit, " + op + ": " + godwitSays);
        fail(kind.state() + " through " + op + " fails with Godwit although plain CRIU on this host can do it ("
                + probe + "):\n" + godwitSays);
    }

    private static String probePlainCriu(Kind kind) {
        try {
            Path dir = Files.createTempDirectory(TestHosts.runName("godwit-cp-probe") + "-");
            Path script = dir.resolve("plain-criu-probe.sh");
            try (InputStream in = CompatibilityEndToEndTest.class.getResourceAsStream("plain-criu-probe.sh")) {
                Files.copy(in, script);
            }
            List<String> cmd = new ArrayList<>(List.of("bash", script.toString(),
                    Path.of(System.getProperty("godwit.testfs"), "rootfs").toString(), dir.resolve("work").toString()));
            cmd.addAll(kind.command());
            Path outFile = dir.resolve("probe.out");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(outFile.toFile());
            // Plain CRIU without hardware breakpoints: it works so on every host, and on hosts that
            // never deliver the debug traps (this machine kind, sometimes) it would otherwise hang.
            pb.environment().put("CRIU_FAULT", "130");
            Process p = pb.start();
            if (!p.waitFor(3, TimeUnit.MINUTES)) { // the output goes to a file, so this bound holds
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
                return "probe: hung (3 min): " + Files.readString(outFile);
            }
            String out = Files.readString(outFile);
            new ProcessBuilder("rm", "-rf", "--one-file-system", dir.toString()).start().waitFor(1, TimeUnit.MINUTES);
            return out.lines().filter(l -> l.startsWith("probe: ")).reduce((a, b) -> b).orElse("probe: no answer: " + out);
        } catch (IOException | InterruptedException e) {
            return "probe: could not run: " + e;
        }
    }

    private void awaitReady(String node, String name, String state) throws Exception {
        for (int i = 0; i < 300; i++) {
            String log = hosts.console(node, name);
            if (log.contains("ready " + state + "\n")) {
                return;
            }
            assertTrue(!log.contains("FAIL " + state), name + " could not set up its state: " + log);
            Thread.sleep(100);
        }
        fail(name + " never got ready: " + hosts.console(node, name));
    }

    /** Sends SIGUSR1 to the container's init and returns the verdict line it prints for it. */
    private String verdict(String node, String name) throws Exception {
        long before = verdicts(hosts.console(node, name)).size();
        ApiResponse r = hosts.host(node).post("/1.0/containers/" + name + "/state", Map.of("action", "kill", "signal", 10));
        assertEquals(200, r.status(), r.body());
        for (int i = 0; i < 300; i++) {
            List<String> lines = verdicts(hosts.console(node, name));
            if (lines.size() > before) {
                return lines.get(lines.size() - 1);
            }
            Thread.sleep(100);
        }
        return "no answer to SIGUSR1 within 30 s; console:\n" + hosts.console(node, name);
    }

    private static List<String> verdicts(String console) {
        return console.lines().filter(l -> l.startsWith("ok ") || l.startsWith("FAIL ")).toList();
    }
}
