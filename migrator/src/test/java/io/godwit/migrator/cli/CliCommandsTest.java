package io.godwit.migrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.FakeDaemon.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The CLI end to end against a fake daemon on a real Unix socket. */
class CliCommandsTest {
    private static final String CONTAINERS = """
            [{"name": "c1", "status": "RUNNING", "pid": 4242, "image": "busybox", "createdAt": "2025-01-02T03:04:05Z",
              "spec": {"network": {"mode": "bridge", "address": "10.77.0.5/24"}}},
             {"name": "a-much-longer-name", "status": "STOPPED", "pid": 0, "image": "alpine", "createdAt": 1735787045000}]""";

    private FakeDaemon daemon;

    @BeforeEach
    void start() throws IOException {
        daemon = new FakeDaemon();
    }

    @AfterEach
    void stop() throws IOException {
        daemon.close();
    }

    private CliRunner.Result godwit(String... args) {
        List<String> all = new ArrayList<>(List.of("--socket", daemon.socket().toString()));
        all.addAll(List.of(args));
        return CliRunner.run(all.toArray(String[]::new));
    }

    private static JsonNode parse(String s) throws IOException {
        return DaemonClient.json().readTree(s);
    }

    @Test
    void listPrintsAnAlignedTable() {
        daemon.on("GET", "/1.0/containers", Reply.json(CONTAINERS));
        CliRunner.Result r = godwit("list");
        assertEquals(0, r.code(), r::toString);
        String[] lines = r.out().split("\n");
        assertEquals(3, lines.length, r.out());
        assertTrue(lines[0].startsWith("NAME "), lines[0]);
        for (String col : List.of("STATUS", "PID", "IMAGE", "ADDRESS", "CREATED")) {
            int at = lines[0].indexOf(col);
            assertTrue(at > 0, col);
            // every row has a value starting exactly under the header, preceded by a space
            for (int i = 1; i < lines.length; i++) {
                assertTrue(lines[i].length() > at && lines[i].charAt(at) != ' ' && lines[i].charAt(at - 1) == ' ',
                        "column " + col + " misaligned in:\n" + r.out());
            }
        }
        assertTrue(lines[1].contains("4242") && lines[1].contains("10.77.0.5/24"), lines[1]);
        assertTrue(lines[2].contains("STOPPED") && lines[2].contains(" - "), lines[2]);
    }

    @Test
    void formatJsonPrintsTheApisJson() throws IOException {
        daemon.on("GET", "/1.0/containers", Reply.json(CONTAINERS));
        CliRunner.Result r = godwit("list", "--format", "json");
        assertEquals(0, r.code(), r::toString);
        assertEquals(parse(CONTAINERS), parse(r.out()));
        assertTrue(r.out().contains("\n  "), "pretty-printed: " + r.out());
    }

    @Test
    void socketMayComeAfterTheSubcommand() {
        daemon.on("GET", "/1.0/images", Reply.json("[{\"alias\": \"busybox\", \"fingerprint\": \"0123456789abcdef0123\", \"sizeBytes\": 1048576}]"));
        CliRunner.Result r = CliRunner.run("image", "list", "--socket", daemon.socket().toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("busybox") && r.out().contains("0123456789ab ") && r.out().contains("1.0MiB"), r.out());
    }

    @Test
    void notFoundExits3WithTheApisMessage() {
        daemon.on("GET", "/1.0/containers/c9", Reply.error(404, "container c9 not found"));
        CliRunner.Result r = godwit("info", "c9");
        assertEquals(ExitCodes.NOT_FOUND, r.code(), r::toString);
        assertEquals("godwit: container c9 not found\n", r.err());
    }

    @Test
    void conflictExits4() {
        daemon.on("POST", "/1.0/containers/c1/restore", Reply.error(409, "container c1 is running"));
        CliRunner.Result r = godwit("restore", "c1", "--latest");
        assertEquals(ExitCodes.CONFLICT, r.code(), r::toString);
        assertTrue(r.err().contains("container c1 is running"), r.err());
        assertEquals(true, daemon.requests.get(0).json().path("latest").asBoolean());
    }

    @Test
    void badInputExits2AndFailureExits1() {
        daemon.on("POST", "/1.0/containers", Reply.error(400, "bad name 'C1'"));
        assertEquals(ExitCodes.USAGE, godwit("launch", "busybox", "C1", "--", "/bin/true").code());
        daemon.on("POST", "/1.0/images", Reply.error(500, "disk full"));
        CliRunner.Result r = godwit("image", "import", "busybox", "/tmp/rootfs");
        assertEquals(ExitCodes.FAILED, r.code(), r::toString);
        assertEquals("godwit: disk full\n", r.err());
    }

    @Test
    void missingSocketExits5WithAHint() throws IOException {
        Path missing = Files.createTempDirectory("gwcli").resolve("gone.sock");
        CliRunner.Result r = CliRunner.run("--socket", missing.toString(), "list");
        assertEquals(ExitCodes.UNREACHABLE, r.code(), r::toString);
        assertTrue(r.err().startsWith("godwit: cannot reach godwitd at " + missing + ": "), r.err());
        assertTrue(r.err().contains("\nhint: is godwitd running?"), r.err());
        Files.delete(missing.getParent());
    }

    @Test
    void launchPostsTheSpec() throws IOException {
        daemon.on("POST", "/1.0/containers", Reply.json(201, "{\"name\": \"c1\", \"status\": \"RUNNING\", \"pid\": 77}"));
        CliRunner.Result r = godwit("launch", "busybox", "c1", "--memory", "64M", "--cpus", "0.5", "--pids", "16",
                "--network", "bridge", "--bridge", "gw0", "-e", "K=V", "--", "/bin/counter", "-n", "5");
        assertEquals(0, r.code(), r::toString);
        assertEquals("Launched c1 (RUNNING, pid 77)\n", r.out());
        JsonNode body = daemon.requests.get(0).json();
        assertEquals("c1", body.path("name").asText());
        assertTrue(body.path("start").asBoolean());
        JsonNode spec = body.path("spec");
        assertEquals(parse("[\"/bin/counter\", \"-n\", \"5\"]"), spec.path("command"));
        assertEquals(67108864L, spec.path("limits").path("memoryBytes").asLong());
        assertEquals(500, spec.path("limits").path("cpuMillis").asInt());
        assertEquals(16, spec.path("limits").path("pids").asInt());
        assertEquals("gw0", spec.path("network").path("bridge").asText());
        assertEquals("V", spec.path("env").path("K").asText());
    }

    private static String op(String id, String status, String extra) {
        return "{\"id\": \"" + id + "\", \"kind\": \"checkpoint\", \"target\": \"c1\", \"status\": \"" + status + "\"" + extra + "}";
    }

    @Test
    void checkpointWaitsForTheOperation() {
        daemon.on("POST", "/1.0/containers/c1/checkpoints", Reply.json(202, op("op1", "running", "")));
        daemon.on("GET", "/1.0/operations/op1/wait",
                Reply.json(op("op1", "running", ", \"phase\": \"dump\", \"bytesDone\": 10, \"bytesTotal\": 100")),
                Reply.json(op("op1", "running", ", \"phase\": \"dump\", \"bytesDone\": 90, \"bytesTotal\": 100")),
                Reply.json(op("op1", "success", ", \"result\": {\"checkpoint\": {\"id\": \"cp-7\", \"sizeBytes\": 2097152}}")));
        CliRunner.Result r = godwit("checkpoint", "c1");
        assertEquals(0, r.code(), r::toString);
        assertEquals("Checkpoint cp-7 of c1 (2.0MiB)\n", r.out());
        assertEquals(3, daemon.requests("GET", "/1.0/operations/op1/wait").size());
        assertFalse(daemon.requests.get(0).json().path("stop").asBoolean());
        assertEquals("", r.err(), "no progress bar when stderr is not a terminal");
    }

    @Test
    void progressBarIsDrawnOnATerminal() {
        daemon.on("POST", "/1.0/containers/c1/checkpoints", Reply.json(202, op("op1", "running", "")));
        daemon.on("GET", "/1.0/operations/op1/wait",
                Reply.json(op("op1", "running", ", \"phase\": \"dump\", \"bytesDone\": 50, \"bytesTotal\": 100")),
                Reply.json(op("op1", "success", ", \"result\": {\"checkpoint\": {\"id\": \"cp-7\"}}")));
        List<String> args = List.of("--socket", daemon.socket().toString(), "checkpoint", "c1", "--stop");
        CliRunner.Result r = CliRunner.run(true, args.toArray(String[]::new));
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains("\rcheckpoint c1 dump [############............] 50% 50B/100B"), r.err());
        assertTrue(r.err().endsWith("\r"), "the bar is erased at the end");
        assertTrue(daemon.requests.get(0).json().path("stop").asBoolean());
    }

    @Test
    void failedOperationExits1WithItsError() {
        daemon.on("POST", "/1.0/containers/c1/checkpoints", Reply.json(202, op("op1", "running", "")));
        daemon.on("GET", "/1.0/operations/op1/wait",
                Reply.json(op("op1", "failure", ", \"error\": \"criu dump: (00.01) Error: tcp socket\"")));
        CliRunner.Result r = godwit("checkpoint", "c1");
        assertEquals(ExitCodes.FAILED, r.code(), r::toString);
        assertEquals("godwit: operation op1 (checkpoint) failed: criu dump: (00.01) Error: tcp socket\n", r.err());
    }

    @Test
    void noWaitPrintsTheOperationId() {
        daemon.on("POST", "/1.0/containers/c1/checkpoints", Reply.json(202, op("op9", "running", "")));
        CliRunner.Result r = godwit("checkpoint", "c1", "--no-wait");
        assertEquals(0, r.code(), r::toString);
        assertEquals("op9\n", r.out());
        assertTrue(daemon.requests("GET", "/1.0/operations/op9/wait").isEmpty());
    }

    @Test
    void moveStripsTheColonAndReportsTheResult() throws IOException {
        daemon.on("POST", "/1.0/containers/web/move", Reply.json(202, "{\"id\": \"m1\", \"kind\": \"move\", \"status\": \"running\"}"));
        daemon.on("GET", "/1.0/operations/m1/wait", Reply.json("""
                {"id": "m1", "kind": "move", "status": "success", "result": {"mode": "precopy", "downtimeMs": 182,
                 "memoryBytes": 52428800, "rootfsBytes": 1048576, "throughputMBps": 812.34,
                 "phases": {"preflight": 12, "precopy": 900, "dump": 150}}}"""));
        CliRunner.Result r = godwit("move", "web", "hostb:", "--mode", "precopy", "--name", "web2");
        assertEquals(0, r.code(), r::toString);
        JsonNode body = daemon.requests.get(0).json();
        assertEquals(parse("{\"remote\": \"hostb\", \"mode\": \"precopy\", \"newName\": \"web2\"}"), body);
        assertTrue(r.out().startsWith("Moved web to hostb as web2\n"), r.out());
        assertTrue(r.out().contains("mode:       precopy"), r.out());
        assertTrue(r.out().contains("downtime:   182 ms"), r.out());
        assertTrue(r.out().contains("memory:     50.0MiB"), r.out());
        assertTrue(r.out().contains("throughput: 812.3 MB/s"), r.out());
        assertTrue(r.out().contains("phases:     preflight 12 ms, precopy 900 ms, dump 150 ms"), r.out());
    }

    @Test
    void moveWithoutColonAndDefaultMode() throws IOException {
        daemon.on("POST", "/1.0/containers/web/move", Reply.json(202, "{\"id\": \"m1\", \"status\": \"success\", \"result\": {}}"));
        assertEquals(0, godwit("move", "web", "hostb").code());
        assertEquals(parse("{\"remote\": \"hostb\", \"mode\": \"auto\"}"), daemon.requests.get(0).json());
    }

    @Test
    void execPrintsOutputAndExitsWithTheCommandsCode() throws IOException {
        // "42\n" on stdout, "oops\n" on stderr, base64 as the daemon streams them
        daemon.on("POST", "/1.0/containers/c1/exec?stream=true", Reply.chunked("application/x-ndjson",
                "{\"stdout\":\"NDIK\"}\n", "{}\n", "{\"stderr\":\"b29wcwo=\"}\n", "{\"exitCode\":3,\"timedOut\":false}\n"));
        CliRunner.Result r = godwit("exec", "c1", "--", "cat", "/tmp/count");
        assertEquals(3, r.code(), r::toString);
        assertEquals("42\n", r.out());
        assertEquals("oops\n", r.err());
        assertEquals(parse("[\"cat\", \"/tmp/count\"]"), daemon.requests.get(0).json().path("command"));
    }

    @Test
    void aLaunchWhoseContainerWasKilledAtOnceFails() throws IOException {
        daemon.on("POST", "/1.0/containers", Reply.json(201, """
                {"name": "tiny", "status": "STOPPED", "exit": {"exitCode": 137, "signal": 9}}"""));
        CliRunner.Result r = godwit("launch", "busybox", "tiny", "--memory", "1k", "--", "/bin/memwriter", "64");
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains("tiny stopped at once (killed by signal 9, e.g. by its memory limit)"), r::toString);

        daemon.on("POST", "/1.0/containers", Reply.json(201, """
                {"name": "once", "status": "STOPPED", "exit": {"exitCode": 0, "signal": 0}}"""));
        assertEquals(0, godwit("launch", "busybox", "once", "--", "true").code(), "a command that did its work");
    }

    @Test
    void logsTailAsksForTheLastLines() {
        daemon.on("GET", "/1.0/containers/c1/logs?tail=2", Reply.chunked("text/plain", "8\n9\n"));
        CliRunner.Result r = godwit("logs", "c1", "--tail", "2");
        assertEquals(0, r.code(), r::toString);
        assertEquals("8\n9\n", r.out());
        assertEquals(2, godwit("logs", "c1", "--tail", "-1").code(), "a negative count is a usage error");
    }

    @Test
    void deleteTakesSeveralNamesAndGoesOnPastOneThatFails() {
        daemon.on("DELETE", "/1.0/containers/a", Reply.json("{}"));
        daemon.on("DELETE", "/1.0/containers/b", Reply.error(409, "container b is running: stop it or --force"));
        daemon.on("DELETE", "/1.0/containers/c", Reply.json("{}"));
        CliRunner.Result r = godwit("delete", "a", "b", "c");
        assertEquals(4, r.code(), r::toString);
        assertTrue(r.err().contains("b: container b is running"), r::toString);
        assertEquals(1, daemon.requests("DELETE", "/1.0/containers/c").size(), "c deleted after b failed");
    }

    @Test
    void aWarmStartRefusesTheOptionsItCannotHonour() {
        CliRunner.Result r = godwit("launch", "--from", "c1/20260101-000000-abcdef", "clone", "--memory", "10M",
                "-e", "X=1", "-v", "/srv:/srv");
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().contains("--memory, --volume, --env do not apply to a warm start"), r::toString);
        assertTrue(daemon.requests.isEmpty(), "nothing was sent");
    }

    @Test
    void execKilledAtItsTimeoutSaysSoAndExits124() throws IOException {
        daemon.on("POST", "/1.0/containers/c1/exec?stream=true", Reply.chunked("application/x-ndjson",
                "{\"exitCode\":-1,\"timedOut\":true}\n"));
        CliRunner.Result r = godwit("exec", "--timeout", "2", "c1", "--", "sleep", "9");
        assertEquals(124, r.code(), r::toString);
        assertTrue(r.err().contains("killed after 2 s"), r::toString);
    }

    @Test
    void stateChangesPostTheAction() throws IOException {
        daemon.on("POST", "/1.0/containers/c1/state", Reply.json("{\"name\": \"c1\", \"status\": \"STOPPED\"}"));
        assertEquals(0, godwit("stop", "c1", "--timeout", "3").code());
        assertEquals(0, godwit("kill", "c1", "--signal", "SIGTERM").code());
        assertEquals(0, godwit("pause", "c1").code());
        assertEquals(parse("{\"action\": \"stop\", \"timeoutSeconds\": 3}"), daemon.requests.get(0).json());
        assertEquals(parse("{\"action\": \"kill\", \"signal\": 15}"), daemon.requests.get(1).json());
        assertEquals(parse("{\"action\": \"pause\"}"), daemon.requests.get(2).json());
    }

    @Test
    void deleteForce() {
        daemon.on("DELETE", "/1.0/containers/c1?force=true", Reply.json("{}"));
        assertEquals(0, godwit("delete", "c1", "--force").code());
        daemon.on("DELETE", "/1.0/containers/c1", Reply.error(409, "container c1 is running"));
        assertEquals(ExitCodes.CONFLICT, godwit("delete", "c1").code());
    }

    @Test
    void warmStartFromTheNewestCheckpoint() throws IOException {
        daemon.on("GET", "/1.0/containers/c1/checkpoints", Reply.json("[{\"id\": \"new\"}, {\"id\": \"old\"}]"));
        daemon.on("POST", "/1.0/containers", Reply.json(202, "{\"id\": \"w1\", \"kind\": \"warm-start\", \"status\": \"running\"}"));
        daemon.on("GET", "/1.0/operations/w1/wait", Reply.json("{\"id\": \"w1\", \"status\": \"success\", \"result\": {}}"));
        CliRunner.Result r = godwit("launch", "--from", "c1", "warm", "--count", "4");
        assertEquals(0, r.code(), r::toString);
        assertEquals("Launched warm-1..warm-4 from c1/new\n", r.out());
        assertEquals(parse("{\"name\": \"warm\", \"from\": {\"container\": \"c1\", \"checkpoint\": \"new\"}, \"count\": 4}"),
                daemon.requests("POST", "/1.0/containers").get(0).json());
    }

    @Test
    void warmStartWithoutCheckpointsIsNotFound() {
        daemon.on("GET", "/1.0/containers/c1/checkpoints", Reply.json("[]"));
        CliRunner.Result r = godwit("launch", "--from", "c1", "warm");
        assertEquals(ExitCodes.NOT_FOUND, r.code(), r::toString);
        assertTrue(r.err().contains("has no checkpoints"), r.err());
    }

    @Test
    void waitTimesOutWithExit6() {
        daemon.on("GET", "/1.0/operations/op1/wait", Reply.json(op("op1", "running", "")));
        CliRunner.Result r = godwit("wait", "op1", "--timeout", "0");
        assertEquals(ExitCodes.TIMEOUT, r.code(), r::toString);
        assertTrue(r.err().contains("still running"), r.err());
    }

    @Test
    void waitReportsCancelledAsFailure() {
        daemon.on("GET", "/1.0/operations/op1/wait", Reply.json(op("op1", "cancelled", "")));
        CliRunner.Result r = godwit("wait", "op1");
        assertEquals(ExitCodes.FAILED, r.code(), r::toString);
        assertTrue(r.err().contains("was cancelled"), r.err());
    }

    @Test
    void operationsTable() {
        daemon.on("GET", "/1.0/operations", Reply.json("[" + op("op1", "running",
                ", \"phase\": \"copy\", \"bytesDone\": 1048576, \"bytesTotal\": 4194304") + "]"));
        CliRunner.Result r = godwit("operations");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("1.0MiB/4.0MiB (25%)"), r.out());
    }

    @Test
    void scheduleAndSchedules() throws IOException {
        daemon.on("PUT", "/1.0/containers/job/schedule", Reply.json("{\"container\": \"job\", \"everySeconds\": 600, \"keep\": 5}"));
        CliRunner.Result r = godwit("checkpoint", "schedule", "job", "--every", "10m", "--keep", "5");
        assertEquals(0, r.code(), r::toString);
        assertEquals(parse("{\"every\": \"10m\", \"keep\": 5}"), daemon.requests.get(0).json());
        daemon.on("GET", "/1.0/schedules", Reply.json("[{\"container\": \"job\", \"everySeconds\": 600, \"keep\": 5, \"lastError\": null}]"));
        CliRunner.Result s = godwit("schedules");
        assertTrue(s.out().lines().skip(1).findFirst().orElse("").startsWith("job        10m    5"), s.out());
    }

    @Test
    void remoteAddDefaultsThePort() throws IOException {
        daemon.on("POST", "/1.0/remotes", Reply.json(201, "{\"name\": \"hostb\", \"address\": \"10.0.0.2:8443\", \"fingerprint\": \"ab:cd\"}"));
        CliRunner.Result r = godwit("remote", "add", "hostb", "10.0.0.2", "--token", "tok");
        assertEquals(0, r.code(), r::toString);
        assertEquals(parse("{\"name\": \"hostb\", \"address\": \"10.0.0.2:8443\", \"token\": \"tok\"}"), daemon.requests.get(0).json());
    }

    @Test
    void trustTokenPrintsTheToken() {
        daemon.on("POST", "/1.0/trust/tokens", Reply.json("{\"token\": \"s3cr3t\"}"));
        CliRunner.Result r = godwit("trust", "token");
        assertEquals("s3cr3t\n", r.out());
    }

    @Test
    void logsFollowStreamsLines() {
        daemon.on("GET", "/1.0/containers/c1/logs?follow=true", Reply.chunked("text/plain", "1\n2", "\n3\n"));
        CliRunner.Result r = godwit("logs", "c1", "-f");
        assertEquals(0, r.code(), r::toString);
        assertEquals("1\n2\n3\n", r.out());
    }

    @Test
    void logsWithoutFollowPrintsTheBody() {
        daemon.on("GET", "/1.0/containers/c1/logs", new Reply(200, "text/plain", "hello\nworld\n", null));
        assertEquals("hello\nworld\n", godwit("logs", "c1").out());
    }

    @Test
    void eventsRawInJsonReadableOtherwise() throws IOException {
        String e1 = "{\"type\": \"operation\", \"time\": \"2025-01-02T03:04:05Z\", \"data\": "
                + op("op1", "running", ", \"phase\": \"dump\"") + "}";
        // as the daemon sends them: a hello first (it opens the stream), a container's action
        String e2 = "{\"type\": \"container\", \"time\": \"2025-01-02T03:04:06Z\", \"data\": {\"name\": \"c1\", \"action\": \"stop\"}}";
        daemon.on("GET", "/1.0/events", Reply.chunked("application/x-ndjson", "{\"type\":\"hello\"}\n", e1 + "\n", e2 + "\n"));
        CliRunner.Result json = godwit("events", "--format", "json");
        List<String> lines = json.out().lines().toList();
        assertEquals(2, lines.size(), json.out());
        assertEquals(parse(e1), parse(lines.get(0)));
        CliRunner.Result text = godwit("events");
        List<String> t = text.out().lines().toList();
        assertTrue(t.get(0).endsWith("operation  op1 checkpoint c1 running dump"), t.get(0));
        assertEquals(2, t.size(), "no hello line: " + text.out());
        assertTrue(t.get(1).endsWith("container  c1 stop"), t.get(1));
    }

    @Test
    void versionShowsClientDaemonApiAndCriu() throws IOException {
        daemon.on("GET", "/1.0", Reply.json("{\"version\": \"0.9\", \"api\": \"1.0\", \"criu\": {\"version\": \"4.1.1\"}}"));
        CliRunner.Result r = godwit("version");
        assertEquals(0, r.code(), r::toString);
        String out = r.out().replaceAll(" +", " ");
        assertTrue(out.startsWith("client: ") && out.contains("daemon: 0.9\nAPI: 1.0\nCRIU: 4.1.1\n"), r.out());
        JsonNode json = parse(godwit("version", "--format", "json").out());
        assertEquals("0.9", json.get("daemon").asText());
        assertEquals("1.0", json.get("api").asText());
        assertEquals("4.1.1", json.get("criu").asText());
        assertTrue(json.get("client").asText().length() > 0, json.toString());
    }

    @Test
    void versionWithoutADaemonStillShowsTheClientAndExits5() throws IOException {
        daemon.close();
        CliRunner.Result r = godwit("version");
        assertEquals(ExitCodes.UNREACHABLE, r.code(), r::toString);
        assertTrue(r.out().startsWith("client: "), r.out());
    }

    @Test
    void quietPrintsNothingOnStdoutButStillFailsLoudly() {
        daemon.on("GET", "/1.0/images", Reply.json("[{\"fingerprint\": \"ab\", \"aliases\": [\"busybox\"]}]"));
        CliRunner.Result r = godwit("--quiet", "image", "list");
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.out());
        // list is the exception, as docker ps -q: the names alone (ListCommandTest)
        daemon.on("GET", "/1.0/containers", Reply.json(CONTAINERS));
        assertEquals("c1\na-much-longer-name\n", godwit("--quiet", "list").out());
        daemon.on("GET", "/1.0/containers/ghost", Reply.error(404, "container 'ghost' not found"));
        CliRunner.Result missing = godwit("info", "ghost", "-q");
        assertEquals(ExitCodes.forStatus(404), missing.code(), missing::toString);
        assertTrue(missing.err().contains("container 'ghost' not found"), missing.err());
    }

    @Test
    void debugTracesEveryCallOnStderr() {
        daemon.on("GET", "/1.0/containers", Reply.json(CONTAINERS));
        CliRunner.Result r = godwit("--debug", "list");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains("debug: GET /1.0/containers -> 200 in "), r.err());
        assertTrue(r.out().startsWith("NAME "), "the output itself is unchanged: " + r.out());
    }

    @Test
    void infoShowsStatsAndSpec() {
        daemon.on("GET", "/1.0/containers/c1", Reply.json("""
                {"name": "c1", "status": "RUNNING", "pid": 10, "image": "busybox",
                 "spec": {"command": ["/bin/counter"], "limits": {"memoryBytes": 67108864, "cpuMillis": 500},
                          "mounts": [{"hostPath": "/srv", "containerPath": "/data", "readOnly": true}]},
                 "stats": {"memoryBytes": 1048576, "cpuNanos": 1500000000, "pids": 2}}"""));
        CliRunner.Result r = godwit("info", "c1");
        assertEquals(0, r.code(), r::toString);
        String out = r.out().replaceAll(" +", " "); // the key column is as wide as the longest key
        assertTrue(out.contains("Status: RUNNING"), r.out());
        assertTrue(out.contains("Limits: memory 64.0MiB, cpu 0.5 CPUs, pids unlimited"), r.out());
        assertTrue(out.contains("Mount: /srv -> /data (ro)"), r.out());
        assertTrue(out.contains("CPU time: 1.50s"), r.out());
    }

    @Test
    void infoShowsTheConfinement() {
        daemon.on("GET", "/1.0/containers/c1", Reply.json("""
                {"name": "c1", "status": "RUNNING", "pid": 10, "image": "busybox",
                 "spec": {"command": ["/bin/sh"], "security": {"capabilities": ["CAP_CHOWN", "CAP_KILL"],
                   "noNewPrivileges": true, "seccomp": "default", "user": "1000:1000", "groups": [20],
                   "readOnlyRootfs": true, "tmpfs": ["/run"], "maskedPaths": ["/proc/kcore"],
                   "readonlyPaths": ["/proc/sys"]}},
                 "confinement": {"effectiveCapabilities": [], "seccomp": "filter", "seccompFilters": 1,
                   "noNewPrivileges": true, "uid": 1000}}"""));
        String out = godwit("info", "c1").out().replaceAll(" +", " ");
        assertTrue(out.contains("Capabilities: CHOWN KILL"), out);
        assertTrue(out.contains("Seccomp: default"), out);
        assertTrue(out.contains("No new privs: yes"), out);
        assertTrue(out.contains("User: 1000:1000, groups 20"), out);
        assertTrue(out.contains("Root filesystem: read-only, tmpfs on /run"), out);
        assertTrue(out.contains("Masked paths: /proc/kcore"), out);
        assertTrue(out.contains("Read-only paths: /proc/sys"), out);
        assertTrue(out.contains("Live (kernel): uid 1000, effective caps none, seccomp filter (1 filters), no_new_privs on"), out);
    }
}
