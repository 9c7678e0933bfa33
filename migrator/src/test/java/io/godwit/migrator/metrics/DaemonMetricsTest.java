package io.godwit.migrator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.criu.CriuFailures;
import io.godwit.migrator.ops.EventBus;
import io.godwit.migrator.ops.OperationManager;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Finished operations move the right series; the text is what Prometheus reads. */
class DaemonMetricsTest {
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    // no catalog: the manager logs that it cannot record, which is beside the point here
    private final OperationManager manager = new OperationManager(workers, null, new EventBus());
    private final DaemonMetrics metrics = new DaemonMetrics(null, () -> null).watch(manager);

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    private void run(String kind, OperationManager.Work work) throws Exception {
        CountDownLatch recorded = new CountDownLatch(1);
        // listeners run in order: when this one runs, the metrics have recorded the operation
        manager.onFinish((op, failure) -> recorded.countDown());
        manager.start(kind, "c1", work);
        assertTrue(recorded.await(30, TimeUnit.SECONDS), kind + " did not finish");
    }

    private String text() throws Exception {
        return new String(metrics.scrape().bytes(), StandardCharsets.UTF_8);
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    @Test
    void aCheckpointCountsItsKindOutcomePhasesAndSize() throws Exception {
        run("checkpoint", op -> {
            op.phase("dump");
            return Map.of("checkpoint", Map.of("id", "x", "sizeBytes", 3_000_000L));
        });
        String t = text();
        assertEquals(1.0, value(t, "godwit_operations_total{kind=\"checkpoint\",outcome=\"success\"}"), t);
        assertEquals(1.0, value(t, "godwit_operation_duration_seconds_count{kind=\"checkpoint\"}"), t);
        assertEquals(1.0, value(t, "godwit_operation_phase_duration_seconds_count{kind=\"checkpoint\",phase=\"dump\"}"), t);
        assertEquals(3_000_000.0, value(t, "godwit_checkpoint_size_bytes_sum"), t);
        assertEquals(1.0, value(t, "godwit_checkpoint_size_bytes_bucket{le=\"4194304.0\"}"), t);
        assertEquals(0.0, value(t, "godwit_checkpoint_size_bytes_bucket{le=\"1048576.0\"}"), t);
        assertEquals(3_000_000.0, value(t, "godwit_checkpoint_stored_bytes_total"), t);
    }

    @Test
    void aMoveRecordsDowntimeAndBytesSent() throws Exception {
        run("move", op -> Map.of("mode", "cold", "downtimeMs", 420L, "memoryBytes", 1000L, "rootfsBytes", 24L));
        String t = text();
        assertEquals(0.42, value(t, "godwit_move_downtime_seconds_sum{mode=\"cold\"}"), 1e-9, t);
        assertEquals(1000.0, value(t, "godwit_move_sent_bytes_total{what=\"memory\"}"), t);
        assertEquals(24.0, value(t, "godwit_move_sent_bytes_total{what=\"rootfs\"}"), t);
    }

    @Test
    void aCriuFailureIsCountedByRequestAndCause() throws Exception {
        run("restore", op -> {
            throw new java.io.IOException("restore of c1 failed", CriuFailures.cancelled("RESTORE"));
        });
        run("restore", op -> {
            throw new java.io.IOException("disk full, not CRIU's doing");
        });
        String t = text();
        assertEquals(2.0, value(t, "godwit_operations_total{kind=\"restore\",outcome=\"failure\"}"), t);
        assertEquals(1.0, value(t, "godwit_criu_failures_total{cause=\"cancelled\",request=\"restore\"}"), t);
    }

    @Test
    void gaugesWithoutTheirSourceLeaveNoSamples() throws Exception {
        String t = text();
        assertTrue(!t.contains("godwit_containers{"), "no runtime, no made-up zeros: " + t);
        assertTrue(!t.contains("godwit_host_feature{"), "host not probed yet, no samples: " + t);
        assertTrue(t.contains("# TYPE godwit_checkpoint_size_bytes histogram"), t);
    }
}
