package io.godwit.migrator.metrics;

import io.godwit.migrator.host.HostFacts;
import io.godwit.migrator.host.HostReport;
import io.godwit.migrator.host.ProbedHost;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.ContainerState;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Gauges read at scrape time: containers by state, and what the host probe found. */
final class StateGauges {
    private static final Logger LOG = Logger.getLogger(StateGauges.class.getName());

    private StateGauges() {
    }

    static void containers(PrometheusRegistry registry, ContainerRuntime runtime) {
        GaugeWithCallback.builder().name("godwit_containers")
                .help("Containers of this daemon by state (CREATED, RUNNING, PAUSED, STOPPED)").labelNames("state")
                .callback(cb -> {
                    Map<ContainerState.Status, Integer> counts = new EnumMap<>(ContainerState.Status.class);
                    for (ContainerState.Status s : ContainerState.Status.values()) {
                        counts.put(s, 0);
                    }
                    try {
                        runtime.list().forEach(c -> counts.merge(c.status(), 1, Integer::sum));
                    } catch (Exception e) {
                        LOG.log(Level.FINE, "cannot list containers for metrics", e);
                        return; // no samples rather than wrong zeros
                    }
                    counts.forEach((s, n) -> cb.call(n, s.name()));
                }).register(registry);
    }

    static void host(PrometheusRegistry registry, Supplier<ProbedHost> host) {
        GaugeWithCallback.builder().name("godwit_host_info")
                .help("The host as probed at start: kernel, CRIU version, cgroup version, breakpoints; value 1")
                .labelNames("kernel", "criu_version", "cgroup_version", "breakpoints")
                .callback(cb -> facts(host).ifPresent(f -> cb.call(1, f.kernel(), f.criuVersion(), f.cgroupVersion(),
                        f.breakpoints()))).register(registry);
        GaugeWithCallback.builder().name("godwit_host_feature")
                .help("Host facts that are yes (1) or no (0): criu_works, can_checkpoint, lazy_pages, mem_track,"
                        + " pidfd_store, tcp_established").labelNames("feature")
                .callback(cb -> report(host).ifPresent(r -> {
                    HostFacts f = r.facts();
                    cb.call(bit(f.criuWorks()), "criu_works");
                    cb.call(bit(r.canCheckpoint()), "can_checkpoint");
                    cb.call(bit(f.lazyPages()), "lazy_pages");
                    cb.call(bit(f.memTrack()), "mem_track");
                    cb.call(bit(f.pidfdStore()), "pidfd_store");
                    cb.call(bit(f.tcpEstablished()), "tcp_established");
                })).register(registry);
        GaugeWithCallback.builder().name("godwit_host_move_mode_works")
                .help("Whether a move mode works from this host (1) or not (0)").labelNames("mode")
                .callback(cb -> report(host).ifPresent(r -> r.moveModes().forEach((m, v) -> cb.call(bit(v.works()), m))))
                .register(registry);
        GaugeWithCallback.builder().name("godwit_host_pipe_max_size_bytes")
                .help("fs.pipe-max-size (CRIU's page server needs about 4 MiB)")
                .callback(cb -> facts(host).ifPresent(f -> cb.call(f.pipeMaxSize()))).register(registry);
        GaugeWithCallback.builder().name("godwit_host_probe_seconds")
                .help("How long the host probe took at start")
                .callback(cb -> facts(host).ifPresent(f -> cb.call(f.probeMillis() / 1000.0))).register(registry);
    }

    private static java.util.Optional<HostReport> report(Supplier<ProbedHost> host) {
        ProbedHost h = host.get();
        return java.util.Optional.ofNullable(h == null ? null : h.reportNow());
    }

    private static java.util.Optional<HostFacts> facts(Supplier<ProbedHost> host) {
        return report(host).map(HostReport::facts);
    }

    private static double bit(boolean b) {
        return b ? 1 : 0;
    }
}
