package io.godwit.tests;

import static io.godwit.tests.TestContainers.importBusybox;
import static io.godwit.tests.TestContainers.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The host probe and the stall bound on real daemons: the probe's report in GET /1.0 (what
 * `godwit doctor` prints) and its cache; and a daemon whose criu stalls as CRIU does on a host
 * that never delivers debug traps (a stand-in that runs the real criu only with CRIU_FAULT=130,
 * with breakpoints forced on): the checkpoint fails within the bound, the error points at
 * `godwit doctor`, and the container runs on.
 */
class HostProbeEndToEndTest {
    @RegisterExtension
    final TestDaemon node = TestDaemon.inNewDir();
    private final Path dir = node.dir;
    private final DaemonProcess daemon = node.process;

    /** The host report, once the daemon's background probe has ended (bounded). */
    static JsonNode awaitHost(DaemonClient api) throws Exception {
        JsonNode host = api.get("/1.0").json().path("host");
        for (int i = 0; i < 1200 && host.path("probing").asBoolean(false); i++) {
            Thread.sleep(100);
            host = api.get("/1.0").json().path("host");
        }
        return host;
    }

    @Test
    void theProbeReportIsServedAndCachedUnderTheRoot() throws Exception {
        daemon.start();
        JsonNode host = awaitHost(daemon.client());
        assertTrue(host.path("canCheckpoint").asBoolean(), host.toString());
        JsonNode facts = host.path("facts");
        assertTrue(List.of("delivered", "not-delivered").contains(facts.path("breakpoints").asText()), facts.toString());
        assertTrue(facts.path("criuVersion").asText().startsWith("4."), facts.toString());
        assertEquals(4, host.path("moveModes").size(), host.toString());
        assertTrue(host.path("moveModes").path("cold").path("works").asBoolean(), host.toString());
        Path cache = daemon.root.resolve("host-probe.json");
        assertTrue(Files.isRegularFile(cache));

        daemon.close();
        daemon.start();
        JsonNode again = awaitHost(daemon.client()).path("facts");
        assertEquals(facts.path("probedAt").asText(), again.path("probedAt").asText(), "the second start used the cache");
        assertTrue(Files.readString(daemon.log).contains("breakpoints " + facts.path("breakpoints").asText()));
    }

    @Test
    void aStalledCriuFailsTheCheckpointWithinItsBoundAndTheContainerRuns() throws Exception {
        Path criu = dir.resolve("criu-without-traps");
        Files.writeString(criu, """
                #!/bin/sh
                # CRIU on a host without debug traps: works only with FI_NO_BREAKPOINTS
                if [ "$CRIU_FAULT" = 130 ]; then exec criu "$@"; fi
                exec sleep 600
                """);
        Files.setPosixFilePermissions(criu, PosixFilePermissions.fromString("rwx------"));
        daemon.jvmArgs("-Dgodwit.criu=" + criu)
                .start(List.of("--criu-breakpoints", "on", "--criu-stall-seconds", "3"));
        DaemonClient api = daemon.client();
        assertEquals("forced-on", awaitHost(api).path("facts").path("breakpoints").asText());
        importBusybox(api);
        ApiResponse r = api.post("/1.0/containers", Map.of("name", "stuck",
                "spec", Map.of("image", "busybox", "command", List.of("/bin/counter", "50"))));
        assertEquals(201, r.status(), r.body());

        long t0 = System.nanoTime();
        ApiResponse started = api.post("/1.0/containers/stuck/checkpoints", Map.of("stop", true));
        assertEquals(202, started.status(), started.body());
        JsonNode op = api.waitOperation(started.json().get("id").asText(), Duration.ofMinutes(2), o -> { });
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertEquals("failure", op.path("status").asText(), op.toString());
        String err = op.path("error").asText();
        assertTrue(err.contains("no progress for 3 s"), err);
        assertTrue(err.contains("godwit doctor"), err);
        assertTrue(took.compareTo(Duration.ofSeconds(180)) < 0, "failed within its bound (the stand-in sleeps 600 s), took " + took);
        assertEquals("RUNNING", api.get("/1.0/containers/stuck").json().path("status").asText());
        long before = count(api, "stuck");
        for (int i = 0; i < 50 && count(api, "stuck") <= before; i++) {
            Thread.sleep(100);
        }
        assertTrue(count(api, "stuck") > before, "the container counts on after the stalled checkpoint");
    }

}
