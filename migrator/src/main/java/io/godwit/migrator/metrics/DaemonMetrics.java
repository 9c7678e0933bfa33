package io.godwit.migrator.metrics;

import io.godwit.migrator.api.TextReply;
import io.godwit.migrator.host.ProbedHost;
import io.godwit.migrator.ops.OperationManager;
import io.godwit.runtime.ContainerRuntime;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * The daemon's metrics, in its own registry (not the library's global one: two daemons in one
 * JVM, as in tests, keep theirs apart), served as Prometheus text at GET /metrics.
 */
public final class DaemonMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final OperationMetrics operations = new OperationMetrics(registry);
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public DaemonMetrics(ContainerRuntime runtime, Supplier<ProbedHost> host) {
        StateGauges.containers(registry, runtime);
        StateGauges.host(registry, host);
    }

    /** Records every operation of {@code manager} as it finishes. */
    public DaemonMetrics watch(OperationManager manager) {
        manager.onFinish(operations);
        return this;
    }

    /** For tests: the listener without a manager. */
    OperationManager.FinishListener operations() {
        return operations;
    }

    public TextReply scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        writer.write(out, registry.scrape());
        return new TextReply(writer.getContentType(), out.toByteArray());
    }
}
