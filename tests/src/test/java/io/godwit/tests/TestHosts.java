package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Two hosts on this machine, made by scripts/testhosts: two network namespaces joined by a veth
 * pair, a real godwitd in each, paired both ways ("hostb" on a, "hosta" on b).
 */
final class TestHosts implements AutoCloseable {
    static final Path TOP = Path.of(System.getProperty("godwit.top"));
    final Path dir;
    final String name;
    private final Map<String, String> env;

    private TestHosts(Path dir, String name, Map<String, String> env) {
        this.dir = dir;
        this.name = name;
        this.env = env;
    }

    /**
     * This test run's id (GODWIT_TEST_RUN, set by scripts/test; "" when run by hand): it goes into
     * every netns, cgroup parent and directory name a test makes, so two runs on one machine, or a
     * run beside a production daemon, never touch each other's things.
     */
    static final String RUN = System.getenv().getOrDefault("GODWIT_TEST_RUN", "");

    /** A name for something this run makes: base, then the run id. */
    static String runName(String base) {
        return RUN.isEmpty() ? base : base + "-" + RUN;
    }

    /** A fresh temp directory for this run: /tmp/BASE-RUN-NNNN (daemon roots and sockets go inside). */
    static Path runDir(String base) throws IOException {
        return Files.createTempDirectory(runName(base) + "-");
    }

    /** Brings the hosts up; extra are testhosts options (--b-disk, --no-image), env JVM options per daemon. */
    static TestHosts up(String baseName, Map<String, String> env, String... extra) throws Exception {
        String name = runName(baseName);
        Path dir = runDir("godwit-hosts");
        Files.delete(dir); // testhosts makes it
        TestHosts h = new TestHosts(dir, name, env);
        List<String> args = new ArrayList<>(List.of("up", "--dir", dir.toString(), "--name", name));
        args.addAll(List.of(extra));
        try {
            h.script(args.toArray(String[]::new));
        } catch (Exception | AssertionError upFailed) {
            try {
                h.script("down"); // half-made hosts must not outlive the test
            } catch (Exception downFailed) {
                upFailed.addSuppressed(downFailed);
            }
            throw upFailed;
        }
        return h;
    }

    DaemonClient a() {
        return new DaemonClient(dir.resolve("a/sock"));
    }

    DaemonClient b() {
        return new DaemonClient(dir.resolve("b/sock"));
    }

    DaemonClient host(String node) {
        return node.equals("a") ? a() : b();
    }

    Path root(String node) {
        return dir.resolve(node).resolve("root");
    }

    String script(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(TOP.resolve("scripts/testhosts").toString());
        cmd.addAll(List.of(args));
        if (!List.of(args).contains("--dir")) {
            cmd.addAll(List.of("--dir", dir.toString()));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("testhosts " + String.join(" ", args) + " hung:\n" + out);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("testhosts " + String.join(" ", args) + " failed (" + p.exitValue() + "):\n"
                    + out + "\n--- daemon a:\n" + tail(dir.resolve("a/daemon.log")) + "\n--- daemon b:\n"
                    + tail(dir.resolve("b/daemon.log")));
        }
        return out;
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Launches a container running command on node. */
    void launch(String node, String container, String... command) throws Exception {
        ApiResponse r = host(node).post("/1.0/containers", Map.of("name", container,
                "spec", Map.of("image", "busybox", "command", List.of(command))));
        assertEquals(201, r.status(), r.body());
    }

    String console(String node, String container) throws IOException {
        Path log = root(node).resolve("containers").resolve(container).resolve("console.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private static final java.util.regex.Pattern FILLED = java.util.regex.Pattern.compile("filled \\d+ MiB sum ([0-9a-f]{16})");

    /** memwriter's checksum, once it filled its memory. */
    String awaitFilled(String node, String name) throws Exception {
        for (int i = 0; i < 600; i++) {
            java.util.regex.Matcher m = FILLED.matcher(console(node, name));
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " never filled its memory: " + console(node, name));
    }

    /** Waits (up to 30 s) until node lists exactly these "name:STATUS" entries; the caller asserts after. */
    void awaitContainers(String node, List<String> expected) throws Exception {
        for (int i = 0; i < 300 && !containers(node).equals(expected); i++) {
            Thread.sleep(100);
        }
    }

    /** Starts a move and returns its operation id. */
    String startMove(String container, String remote, String mode, String newName) throws Exception {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("remote", remote, "mode", mode));
        if (newName != null) {
            body.put("newName", newName);
        }
        String from = remote.equals("hostb") ? "a" : "b";
        ApiResponse r = host(from).post("/1.0/containers/" + container + "/move", body);
        assertEquals(202, r.status(), r.body());
        return r.json().get("id").asText();
    }

    JsonNode awaitOperation(String node, String id) throws Exception {
        return host(node).waitOperation(id, java.time.Duration.ofMinutes(5), op -> { });
    }

    /** Waits until the operation on node reaches one of the phases (or ends). */
    JsonNode awaitPhase(String node, String id, String... phases) throws Exception {
        List<String> wanted = List.of(phases);
        for (int i = 0; i < 3000; i++) {
            JsonNode op = host(node).get("/1.0/operations/" + id).json();
            if (wanted.contains(op.path("phase").asText()) || !op.path("status").asText().equals("running")) {
                return op;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("operation " + id + " never reached " + wanted);
    }

    List<String> containers(String node) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode c : host(node).get("/1.0/containers").json()) {
            out.add(c.get("name").asText() + ":" + c.get("status").asText());
        }
        return out;
    }

    /** What a move left in node's staging area (nothing, once a move ended). */
    List<String> staging(String node) throws IOException {
        Path incoming = root(node).resolve("incoming");
        if (!Files.isDirectory(incoming)) {
            return List.of();
        }
        try (var s = Files.list(incoming)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    void deleteAllContainers() throws Exception {
        for (String node : List.of("a", "b")) {
            try {
                for (JsonNode c : host(node).get("/1.0/containers").json()) {
                    host(node).send("DELETE", "/1.0/containers/" + c.get("name").asText() + "?force=true", null);
                }
            } catch (IOException daemonDown) {
                // a test that killed a daemon restarts it itself; down cleans what is left
            }
        }
    }

    @Override
    public void close() throws Exception {
        script("down");
    }
}
