package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real daemon's GET /metrics, scraped before and after a launch and a real CRIU checkpoint. */
class MetricsEndToEndTest {
    private TestDaemon node;
    private DaemonProcess daemon;
    private DaemonClient api;

    @BeforeEach
    void startDaemon() throws Exception {
        node = TestDaemon.inNewDir();
        node.start(java.util.List.of());
        daemon = node.process;
        api = daemon.client();
        TestContainers.importBusybox(api);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private String scrape() throws Exception {
        ApiResponse r = api.get("/metrics");
        assertEquals(200, r.status(), r.body());
        assertTrue(r.header("Content-Type").startsWith("text/plain"), r.header("Content-Type"));
        return r.body();
    }

    /** The value of one series, 0 when it has no sample yet (a counter not yet incremented). */
    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** The host probe runs at start; its gauges appear when it is done (bounded). */
    private String scrapeAfterProbe() throws Exception {
        String t = scrape();
        for (int i = 0; i < 300 && !t.contains("godwit_host_info{"); i++) {
            Thread.sleep(100);
            t = scrape();
        }
        assertTrue(t.contains("godwit_host_info{"), "host probe never showed in the metrics:\n" + t);
        return t;
    }

    @Test
    void launchAndCheckpointMoveTheirSeries() throws Exception {
        String before = scrapeAfterProbe();
        assertEquals(1.0, value(before, "godwit_host_feature{feature=\"criu_works\"}"), before);
        assertEquals(0.0, value(before, "godwit_containers{state=\"RUNNING\"}"), before);
        String checkpointsDone = "godwit_operations_total{kind=\"checkpoint\",outcome=\"success\"}";
        assertEquals(0.0, value(before, checkpointsDone), before);

        ApiResponse launched = api.send("POST", "/1.0/containers", Map.of("name", "job",
                "spec", Map.of("image", "busybox", "command", List.of("/bin/counter", "50"))));
        assertEquals(201, launched.status(), launched.body());
        assertEquals(1.0, value(scrape(), "godwit_containers{state=\"RUNNING\"}"));

        ApiResponse started = api.post("/1.0/containers/job/checkpoints", Map.of());
        assertEquals(202, started.status(), started.body());
        JsonNode op = api.waitOperation(started.json().get("id").asText(), o -> { });
        assertEquals("success", op.get("status").asText(), op.toString());
        long size = op.get("result").get("checkpoint").get("sizeBytes").asLong();

        // the operation is recorded right after it is marked finished: give the scrape a bounded moment
        String after = scrape();
        for (int i = 0; i < 50 && value(after, checkpointsDone) < 1; i++) {
            Thread.sleep(100);
            after = scrape();
        }
        assertEquals(1.0, value(after, checkpointsDone), after);
        assertEquals(1.0, value(after, "godwit_operation_duration_seconds_count{kind=\"checkpoint\"}"), after);
        assertTrue(after.contains("godwit_operation_phase_duration_seconds_count{kind=\"checkpoint\",phase="), after);
        assertEquals(1.0, value(after, "godwit_checkpoint_size_bytes_count"), after);
        assertEquals((double) size, value(after, "godwit_checkpoint_size_bytes_sum"), after);
        assertTrue(size > 0, "a checkpoint of a running counter has bytes");
        assertEquals(1.0, value(after, "godwit_containers{state=\"RUNNING\"}"), "left running: " + after);
    }
}
