package io.godwit.tests;

import static io.godwit.tests.TestContainers.awaitCountAbove;
import static io.godwit.tests.TestContainers.importBusybox;
import static io.godwit.tests.TestContainers.launchCounter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import io.godwit.migrator.cli.ExecFrames;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * exec with stdin (exec?attach=true, upgraded to godwit-exec/1; the CLI's exec -i): what the client
 * sends reaches the command as it comes, the output comes back, the exit code last; a client that
 * hangs up ends the command; a request that did not ask for the upgrade leaves nothing running.
 */
class ExecAttachEndToEndTest {
    @RegisterExtension
    final TestDaemon node = TestDaemon.inNewDir();

    private DaemonClient api;

    @RegisterExtension
    final org.junit.jupiter.api.extension.TestExecutionExceptionHandler withDaemonLog = (context, thrown) -> {
        thrown.addSuppressed(new AssertionError("daemon log:\n" + TestHosts.tail(node.process.log)));
        throw thrown;
    };

    private void up() throws Exception {
        node.start(TestDaemon.FAST_START);
        api = node.client();
        importBusybox(api);
        launchCounter(api, "talker");
        awaitCountAbove(api, "talker", 1);
    }

    private DaemonClient.Upgraded attach(String... command) throws Exception {
        return api.upgrade("POST", "/1.0/containers/talker/exec?attach=true", Map.of("command", List.of(command)),
                ExecFrames.PROTOCOL);
    }

    /** Reads frames to the exit: stdout and stderr kept apart, then the code. */
    private record Outcome(String stdout, String stderr, int exitCode) {
    }

    private static Outcome readToExit(DaemonClient.Upgraded s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        ExecFrames.Frame f;
        while ((f = ExecFrames.read(s.in())) != null) {
            switch (f.kind()) {
                case ExecFrames.STDOUT -> out.writeBytes(f.payload());
                case ExecFrames.STDERR -> err.writeBytes(f.payload());
                case ExecFrames.EXIT -> {
                    return new Outcome(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                            f.exitCode());
                }
                default -> throw new AssertionError("unexpected frame kind " + f.kind());
            }
        }
        throw new AssertionError("no exit frame; stdout so far: " + out);
    }

    private boolean sleeperRuns() throws Exception {
        ApiResponse ps = api.post("/1.0/containers/talker/exec", Map.of("command", List.of("ps", "-o", "args")));
        return ps.json().path("output").asText().contains("sleep 4321");
    }

    @Test
    void inputGoesInAsItComesAndTheExitCodeComesBack() throws Exception {
        up();
        try (DaemonClient.Upgraded s = attach("sh", "-c", "read a; echo got $a; read b; echo also $b >&2; exit 7")) {
            ExecFrames.write(s.out(), ExecFrames.STDIN, "first\n".getBytes(StandardCharsets.UTF_8));
            // the first answer comes before the second line is sent: input is streamed, not gathered
            ExecFrames.Frame f = ExecFrames.read(s.in());
            assertEquals(ExecFrames.STDOUT, f.kind());
            assertEquals("got first\n", new String(f.payload(), StandardCharsets.UTF_8));
            ExecFrames.write(s.out(), ExecFrames.STDIN, "second\n".getBytes(StandardCharsets.UTF_8));
            Outcome o = readToExit(s);
            assertEquals("also second\n", o.stderr());
            assertEquals(7, o.exitCode());
        }
        try (DaemonClient.Upgraded s = attach("wc", "-c")) {
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < 64; i++) {
                ExecFrames.write(s.out(), ExecFrames.STDIN, chunk);
            }
            ExecFrames.write(s.out(), ExecFrames.STDIN_EOF, new byte[0]);
            Outcome o = readToExit(s);
            assertEquals(Integer.toString(64 * 64 * 1024), o.stdout().strip(), "stdin EOF ends the input whole");
            assertEquals(0, o.exitCode());
        }
    }

    @Test
    void aClientThatHangsUpEndsTheCommandAndSignalsReachIt() throws Exception {
        up();
        DaemonClient.Upgraded s = attach("sleep", "4321");
        for (int i = 0; i < 100 && !sleeperRuns(); i++) {
            Thread.sleep(100);
        }
        assertTrue(sleeperRuns(), "the attached command never ran");
        s.close();
        for (int i = 0; i < 100 && sleeperRuns(); i++) {
            Thread.sleep(100);
        }
        assertFalse(sleeperRuns(), "the command ran on after its client hung up");

        try (DaemonClient.Upgraded t = attach("sh", "-c", "trap 'echo interrupted; exit 3' INT; echo ready; while :; do sleep 0.1; done")) {
            ExecFrames.Frame ready = ExecFrames.read(t.in());
            assertEquals("ready\n", new String(ready.payload(), StandardCharsets.UTF_8));
            ExecFrames.write(t.out(), ExecFrames.SIGNAL, new byte[] {2});
            Outcome o = readToExit(t);
            assertTrue(o.stdout().contains("interrupted"), o.stdout());
            assertEquals(3, o.exitCode());
        }
    }

    @Test
    void withoutTheUpgradeItIsRefusedAndNothingRuns() throws Exception {
        up();
        ApiResponse r = api.send("POST", "/1.0/containers/talker/exec?attach=true",
                Map.of("command", List.of("sleep", "4321")));
        assertEquals(400, r.status(), r.body());
        assertTrue(r.body().contains("Upgrade: " + ExecFrames.PROTOCOL), r.body());
        // the command was started before the refusal and is killed with it: give the kill a bounded moment
        // (once, under load, one look 300 ms later still saw it)
        for (int i = 0; i < 50 && sleeperRuns(); i++) {
            Thread.sleep(100);
        }
        assertFalse(sleeperRuns(), "a refused attach left its command running");
    }

    @Test
    void theCliSendsItsInputWithDashI() throws Exception {
        up();
        ProcessBuilder pb = new ProcessBuilder(TestHosts.TOP.resolve("scripts/godwit").toString(), "--socket",
                node.process.socket.toString(), "exec", "-i", "talker", "--", "sh", "-c", "tr a-z A-Z; exit 5")
                .redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().write("hello from a pipe\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(5, p.waitFor(), out);
        assertEquals("HELLO FROM A PIPE\n", out);
    }
    private DaemonClient.Upgraded attachOnTerminal(int columns, int rows, String... command) throws Exception {
        return api.upgrade("POST", "/1.0/containers/talker/exec?attach=true", Map.of("command", List.of(command),
                "tty", true, "columns", columns, "rows", rows), ExecFrames.PROTOCOL);
    }

    /** Reads output frames until text appeared; returns all read. */
    private static String readUntil(DaemonClient.Upgraded s, String text) throws Exception {
        StringBuilder seen = new StringBuilder();
        while (!seen.toString().contains(text)) {
            ExecFrames.Frame f = ExecFrames.read(s.in());
            if (f == null || f.kind() == ExecFrames.EXIT) {
                throw new AssertionError("ended before '" + text + "' came; output: " + seen);
            }
            seen.append(new String(f.payload(), StandardCharsets.UTF_8));
        }
        return seen.toString();
    }

    /** exec -t: a terminal of the asked size that follows resizes, typed lines reach the command, ^C is a signal. */
    @Test
    void aTerminalHasItsSizeFollowsResizesAndTurnsCtrlCIntoASignal() throws Exception {
        up();
        try (DaemonClient.Upgraded s = attachOnTerminal(100, 30, "sh", "-c",
                "stty size; test -t 0 && test -t 1 && test -t 2 && echo all-on-a-tty; read x; stty size; echo got:$x")) {
            String first = readUntil(s, "all-on-a-tty");
            assertTrue(first.contains("30 100"), first);
            ExecFrames.write(s.out(), ExecFrames.RESIZE, ExecFrames.resize(132, 50));
            ExecFrames.write(s.out(), ExecFrames.STDIN, "hello\n".getBytes(StandardCharsets.UTF_8));
            Outcome o = readToExit(s);
            assertTrue(o.stdout().contains("50 132"), "the resize did not reach the terminal: " + o.stdout());
            assertTrue(o.stdout().contains("got:hello"), o.stdout());
            assertEquals(0, o.exitCode());
        }
        try (DaemonClient.Upgraded s = attachOnTerminal(80, 24, "sh", "-c",
                "trap 'echo caught; exit 4' INT; echo ready; while :; do sleep 0.1; done")) {
            readUntil(s, "ready");
            ExecFrames.write(s.out(), ExecFrames.STDIN, new byte[] {3}); // ^C, as a raw terminal sends it
            Outcome o = readToExit(s);
            assertTrue(o.stdout().contains("caught"), o.stdout());
            assertEquals(4, o.exitCode());
        }
        ApiResponse noInput = api.send("POST", "/1.0/containers/talker/exec?stream=true",
                Map.of("command", List.of("true"), "tty", true));
        assertEquals(400, noInput.status(), noInput.body());
    }

    /** /dev/mqueue is the container's own queue file system, as runc mounts it, and it survives a checkpoint. */
    @Test
    void devMqueueIsMountedAndSurvivesACheckpoint() throws Exception {
        up();
        String probe = "grep -c ' /dev/mqueue mqueue ' /proc/mounts";
        ApiResponse before = api.post("/1.0/containers/talker/exec", Map.of("command", List.of("sh", "-c", probe)));
        assertEquals("1", before.json().path("output").asText().strip(), before.body());
        ApiResponse cp = api.post("/1.0/containers/talker/checkpoints", Map.of("stop", true));
        assertEquals("success", api.waitOperation(cp.json().get("id").asText(), o -> { }).path("status").asText());
        ApiResponse rs = api.post("/1.0/containers/talker/restore", Map.of("latest", true));
        assertEquals("success", api.waitOperation(rs.json().get("id").asText(), o -> { }).path("status").asText());
        ApiResponse after = api.post("/1.0/containers/talker/exec", Map.of("command", List.of("sh", "-c", probe)));
        assertEquals("1", after.json().path("output").asText().strip(), after.body());
    }
}
