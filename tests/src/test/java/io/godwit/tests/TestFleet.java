package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Three members of one fleet on this machine, made by scripts/testfleet: three network namespaces
 * on a bridge, a real godwitd in each joined with --cluster to a real etcd that the script starts
 * in a fourth namespace (data in the fleet's temp dir) and stops at `down`. Members are hosta,
 * hostb and hostc; nodes here are "a", "b" and "c".
 */
final class TestFleet implements AutoCloseable {
    final Path dir;

    private TestFleet(Path dir) {
        this.dir = dir;
    }

    static TestFleet up(String baseName) throws Exception {
        return up(baseName, null);
    }

    /** As {@link #up(String)}, the three daemons reading settingsJson (a godwitd settings file) when not null. */
    static TestFleet up(String baseName, String settingsJson) throws Exception {
        return up(baseName, settingsJson, 1);
    }

    /**
     * As {@link #up(String, String)}, on an etcd of etcdMembers members (1 or 3; member N takes
     * clients on 10.78.0.254 port 2279+100N, and every daemon is given all of them, member 1 first).
     */
    static TestFleet up(String baseName, String settingsJson, int etcdMembers) throws Exception {
        String name = TestHosts.runName(baseName);
        Path dir = Files.createTempDirectory(TestHosts.runName("godwit-fleet") + "-");
        Files.delete(dir); // testfleet makes it
        TestFleet f = new TestFleet(dir);
        List<String> args = new ArrayList<>(List.of("up", "--name", name, "--etcd-members", String.valueOf(etcdMembers)));
        if (settingsJson == null) {
            f.script(args.toArray(String[]::new));
        } else {
            Path settings = Files.createTempFile(TestHosts.runName("godwit-fleet-settings") + "-", ".json");
            try {
                Files.writeString(settings, settingsJson);
                args.addAll(List.of("--config", settings.toString()));
                f.script(args.toArray(String[]::new));
            } finally {
                Files.deleteIfExists(settings);
            }
        }
        return f;
    }

    DaemonClient host(String node) {
        return new DaemonClient(dir.resolve(node).resolve("sock"));
    }

    static String member(String node) {
        return "host" + node;
    }

    static String node(String member) {
        return member.substring("host".length());
    }

    Path root(String node) {
        return dir.resolve(node).resolve("root");
    }

    String script(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(TestHosts.TOP.resolve("scripts/testfleet").toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--dir", dir.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("testfleet " + String.join(" ", args) + " hung:\n" + out);
        }
        if (p.exitValue() != 0) {
            StringBuilder logs = new StringBuilder();
            for (String n : List.of("a", "b", "c")) {
                logs.append("\n--- daemon ").append(n).append(":\n").append(TestHosts.tail(dir.resolve(n + "/daemon.log")));
            }
            throw new IllegalStateException("testfleet " + String.join(" ", args) + " failed (" + p.exitValue() + "):\n"
                    + out + logs);
        }
        return out;
    }

    /** The last lines of each daemon's log, for a failure's message. */
    String logTails() {
        StringBuilder logs = new StringBuilder();
        for (String n : List.of("a", "b", "c")) {
            logs.append("\n--- daemon ").append(n).append(":\n").append(TestHosts.tail(dir.resolve(n + "/daemon.log")));
        }
        return logs.toString();
    }

    /** Runs the godwit command line against node's daemon: exit code and both outputs. */
    record Cli(int exit, String out) {
    }

    Cli godwit(String node, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(TestHosts.TOP.resolve("scripts/godwit").toString(),
                "--socket", dir.resolve(node).resolve("sock").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("GODWIT_PROGRESS", "0");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("godwit " + String.join(" ", args) + " hung:\n" + out);
        }
        return new Cli(p.exitValue(), out);
    }

    void launch(String node, String container, String... command) throws Exception {
        ApiResponse r = host(node).post("/1.0/containers", Map.of("name", container,
                "spec", Map.of("image", "busybox", "command", List.of(command))));
        assertEquals(201, r.status(), r.body());
    }

    String console(String node, String container) throws IOException {
        Path log = root(node).resolve("containers").resolve(container).resolve("console.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** "name:STATUS" of every container of node, sorted. */
    List<String> containers(String node) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode c : host(node).get("/1.0/containers").json()) {
            out.add(c.get("name").asText() + ":" + c.get("status").asText());
        }
        out.sort(null);
        return out;
    }

    /** The live members as node asks etcd, "name:state", sorted. */
    List<String> members(String node) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode m : host(node).get("/1.0/cluster/members").json()) {
            out.add(m.get("name").asText() + ":" + m.get("state").asText());
        }
        out.sort(null);
        return out;
    }

    /** The directory as node reads it: "node/name:STATUS", sorted. */
    List<String> directory(String node) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode c : host(node).get("/1.0/cluster/containers").json()) {
            out.add(c.get("node").asText() + "/" + c.get("name").asText() + ":" + c.get("status").asText());
        }
        out.sort(null);
        return out;
    }

    /** Polls (bounded: 2 minutes) until check holds; the caller asserts afterwards. */
    static void await(Check check) throws Exception {
        long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < end) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                // etcd or a daemon still coming up: ask again
            }
            Thread.sleep(500);
        }
    }

    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    JsonNode awaitOperation(String node, String id) throws Exception {
        return host(node).waitOperation(id, Duration.ofMinutes(15), op -> { });
    }

    @Override
    public void close() throws Exception {
        script("down");
    }
}
