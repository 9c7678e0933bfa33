package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Warm starts of a real JVM service (build/jvmfs: a jlink runtime and scripts/jvmservice/WarmService,
 * see docs/WARM-JVM.md): the service warms up, answers, is checkpointed while it runs, and two clones
 * warm-started from that checkpoint each answer correctly (the warm-up's checksum) as themselves: their
 * own host name, the checkpoint they came from, and a seed of their own taken from /run/godwit/restored.
 */
class WarmJvmEndToEndTest {
    private static final Duration ANSWER_BOUND = Duration.ofSeconds(180);
    private static final Duration OPERATION_BOUND = Duration.ofSeconds(600);
    private TestDaemon node;
    private DaemonProcess daemon;
    private DaemonClient api;

    @BeforeEach
    void startDaemon() throws Exception {
        Path jvmfs = Path.of(System.getProperty("godwit.testfs")).resolveSibling("jvmfs").resolve("rootfs");
        assertTrue(Files.isExecutable(jvmfs.resolve("opt/java/bin/java")), "no JVM test rootfs at " + jvmfs
                + ": run scripts/build (scripts/jvmfs)");
        node = TestDaemon.inNewDir();
        node.start(java.util.List.of());
        daemon = node.process;
        api = daemon.client();
        ApiResponse img = api.post("/1.0/images", Map.of("alias", "jvm", "path", jvmfs.toString()));
        assertEquals(201, img.status(), img.body());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void clonesOfAWarmedServiceAnswerAsThemselves() throws Exception {
        ApiResponse r = api.post("/1.0/containers", Map.of("name", "svc", "spec", Map.of("image", "jvm",
                "command", List.of("/opt/java/bin/java", "-cp", "/app", "WarmService", "8080", "10"))));
        assertEquals(201, r.status(), r.body());
        Map<String, String> template = awaitAnswer("svc");
        assertEquals("svc", template.get("host"));
        assertEquals("no", template.get("restored"));
        String warmup = template.get("warmup");

        JsonNode cp = succeeded(api.post("/1.0/containers/svc/checkpoints", Map.of()));
        String id = cp.path("result").path("checkpoint").path("id").asText();
        JsonNode warm = succeeded(api.post("/1.0/containers", Map.of("name", "web",
                "from", Map.of("container", "svc", "checkpoint", id), "count", 2)));
        assertEquals(List.of("web-1", "web-2"), List.of(warm.path("result").path("containers").get(0).asText(),
                warm.path("result").path("containers").get(1).asText()));

        Set<String> seeds = new HashSet<>(Set.of(template.get("seed")));
        for (String clone : List.of("web-1", "web-2")) {
            Map<String, String> a = answer(clone);
            assertEquals(warmup, a.get("warmup"), clone + " computes what its template computed: " + a);
            assertEquals(clone, a.get("host"), "its own host name: " + a);
            assertEquals(clone, a.get("clone"), "it learnt its name from /run/godwit/restored: " + a);
            assertEquals(id, a.get("restored"), "it learnt its checkpoint: " + a);
            assertTrue(seeds.add(a.get("seed")), clone + " re-seeded (not its template's or a sibling's seed): " + a);
            Map<String, String> file = keyValues(exec(clone, "cat", "/run/godwit/restored"), "\n");
            assertEquals(clone, file.get("name"));
            assertEquals("svc", file.get("source"));
            assertEquals(id, file.get("checkpoint"));
            assertTrue(file.get("seed").matches("[0-9a-f]{64}"), file.toString());
            assertEquals(Long.parseUnsignedLong(file.get("seed").substring(0, 16), 16),
                    Long.parseUnsignedLong(a.get("seed"), 16), "the service's seed is the file's: " + a + " " + file);
            assertEquals(clone, api.get("/1.0/containers/" + clone).json().path("spec").path("hostname").asText());
        }
        // the template runs on, untouched by its clones
        Map<String, String> again = answer("svc");
        assertEquals("svc", again.get("host"));
        assertEquals(template.get("seed"), again.get("seed"));
        assertEquals("no", again.get("restored"));
    }

    /** The service's first correct answer, waited for (cold: the JVM warms up first); bounded. */
    private Map<String, String> awaitAnswer(String name) throws Exception {
        long deadline = System.nanoTime() + ANSWER_BOUND.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            JsonNode r = api.post("/1.0/containers/" + name + "/exec", Map.of("command",
                    List.of("wget", "-q", "-O", "-", "http://127.0.0.1:8080/"))).json();
            last = r.toString();
            if (r.path("exitCode").asInt(-1) == 0 && r.path("output").asText().startsWith("warm-service ok")) {
                return parse(r.path("output").asText());
            }
            Thread.sleep(250);
        }
        throw new AssertionError(name + " did not answer within " + ANSWER_BOUND.toSeconds() + " s; last: " + last
                + "\nconsole: " + api.get("/1.0/containers/" + name + "/logs").body());
    }

    /** One answer, which must come at once (a warm clone is ready when its start has succeeded). */
    private Map<String, String> answer(String name) throws Exception {
        String out = exec(name, "wget", "-q", "-O", "-", "http://127.0.0.1:8080/");
        assertTrue(out.startsWith("warm-service ok"), name + " answered: " + out);
        return parse(out);
    }

    private String exec(String name, String... command) throws Exception {
        JsonNode r = api.post("/1.0/containers/" + name + "/exec", Map.of("command", List.of(command))).json();
        assertEquals(0, r.path("exitCode").asInt(-1), name + ": " + String.join(" ", command) + ": " + r);
        return r.path("output").asText();
    }

    private static Map<String, String> parse(String answer) {
        return keyValues(answer.strip().substring("warm-service ok ".length()), " ");
    }

    private static Map<String, String> keyValues(String text, String separator) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : text.strip().split(separator)) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return m;
    }

    private JsonNode succeeded(ApiResponse started) throws Exception {
        assertEquals(202, started.status(), started.body());
        JsonNode done = api.waitOperation(started.json().get("id").asText(), OPERATION_BOUND, o -> { });
        assertEquals("success", done.path("status").asText(), done.toString());
        return done;
    }
}
