package io.godwit.migrator.metrics;

import io.godwit.migrator.ops.Operation;
import io.godwit.migrator.ops.OperationManager;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.Map;

/**
 * What finished operations say, as metrics: how many of each kind ended how, how long they and
 * their phases took, what moves cost in downtime and bytes, how large checkpoints are, and why
 * CRIU failed.
 */
final class OperationMetrics implements OperationManager.FinishListener {
    /** Seconds: a warm start takes tens of milliseconds, a move of a large container minutes. */
    private static final double[] SECONDS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
    private static final double[] BYTES = {64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20, 256 << 20,
            1L << 30, 4L << 30, 16L << 30};

    private final Counter operations;
    private final Histogram duration;
    private final Histogram phaseDuration;
    private final Histogram downtime;
    private final Counter sentBytes;
    private final Histogram checkpointSize;
    private final Counter storedBytes;
    private final Counter criuFailures;

    OperationMetrics(PrometheusRegistry registry) {
        operations = Counter.builder().name("godwit_operations_total")
                .help("Operations finished, by kind (checkpoint, restore, move, warm-start, ...) and outcome"
                        + " (success, failure, cancelled)")
                .labelNames("kind", "outcome").register(registry);
        duration = Histogram.builder().name("godwit_operation_duration_seconds")
                .help("Time from an operation's start to its end, by kind").labelNames("kind")
                .classicOnly().classicUpperBounds(SECONDS).register(registry);
        phaseDuration = Histogram.builder().name("godwit_operation_phase_duration_seconds")
                .help("Time spent in each phase of an operation (freeze, dump, memory, restore, ...), by kind and phase")
                .labelNames("kind", "phase").classicOnly().classicUpperBounds(SECONDS).register(registry);
        downtime = Histogram.builder().name("godwit_move_downtime_seconds")
                .help("Downtime of successful moves: from the freeze to running on the target, by mode")
                .labelNames("mode").classicOnly()
                .classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60).register(registry);
        sentBytes = Counter.builder().name("godwit_move_sent_bytes_total")
                .help("Bytes moves sent to their targets, by what (memory images or pages, rootfs)")
                .labelNames("what").register(registry);
        checkpointSize = Histogram.builder().name("godwit_checkpoint_size_bytes")
                .help("Size of each checkpoint taken (CRIU images, rootfs changes and manifest)")
                .classicOnly().classicUpperBounds(BYTES).register(registry);
        storedBytes = Counter.builder().name("godwit_checkpoint_stored_bytes_total")
                .help("Bytes of checkpoints written to this daemon's store").register(registry);
        criuFailures = Counter.builder().name("godwit_criu_failures_total")
                .help("Operations failed by CRIU, by request (dump, restore, ...) and cause (stalled, cancelled,"
                        + " errno_N, no_errno)")
                .labelNames("request", "cause").register(registry);
    }

    @Override
    public void finished(Operation op, Throwable failure) {
        try {
            observe(op, failure);
        } finally {
            // counted last: a scrape that sees the operation counted sees every series it moved
            operations.labelValues(op.getKind(), op.getStatus()).inc();
        }
    }

    private void observe(Operation op, Throwable failure) {
        String kind = op.getKind();
        if (op.getFinishedAt() != null) {
            duration.labelValues(kind).observe(seconds(Duration.between(op.getCreatedAt(), op.getFinishedAt()).toMillis()));
        }
        op.getPhases().forEach((phase, ms) -> phaseDuration.labelValues(kind, phase).observe(seconds(ms)));
        if (failure != null) {
            CriuFailureCause.of(failure).ifPresent(c -> criuFailures.labelValues(c.request(), c.cause()).inc());
        }
        Map<String, Object> result = op.getResult();
        if (!"success".equals(op.getStatus()) || result == null) {
            return;
        }
        if (kind.equals("move")) {
            long ms = number(result.get("downtimeMs"));
            if (ms >= 0) {
                downtime.labelValues(String.valueOf(result.getOrDefault("mode", "unknown"))).observe(seconds(ms));
            }
            add(sentBytes.labelValues("memory"), number(result.get("memoryBytes")));
            add(sentBytes.labelValues("rootfs"), number(result.get("rootfsBytes")));
        }
        if (result.get("checkpoint") instanceof Map<?, ?> cp) {
            long size = number(cp.get("sizeBytes"));
            if (size >= 0) {
                checkpointSize.observe(size);
                storedBytes.inc(size);
            }
        }
    }

    private static void add(io.prometheus.metrics.core.datapoints.CounterDataPoint c, long n) {
        if (n > 0) {
            c.inc(n);
        }
    }

    private static long number(Object v) {
        return v instanceof Number n ? n.longValue() : -1;
    }

    private static double seconds(long ms) {
        return ms / 1000.0;
    }
}
