package io.godwit.migrator.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How this daemon joins a fleet: the etcd endpoints, the key prefix all members share, the TLS
 * client files for etcd (all three or none), this member's labels and its lease's time to live.
 *
 * @param endpoints  etcd client URLs, e.g. http://10.0.0.9:2379 or https://...
 * @param prefix     every key of the fleet starts with it ("/godwit" by default); members of one
 *                   fleet share it, so one etcd can hold several fleets
 * @param caFile     CA that signed etcd's server certificate (null: plain http or the JDK's CAs)
 * @param certFile   this daemon's client certificate for etcd (PEM), or null
 * @param keyFile    its private key (PEM, PKCS#8), or null
 * @param labels     free-form key=value pairs published with the member
 * @param lease      how long the member's keys outlive the daemon's last renewal
 * @param fence      T1: a member that has had no renewal acknowledged for this long freezes its
 *                   failover containers (docs/CLUSTER.md, "Timing")
 * @param failover   T2: how long a member's key must have been gone before the leader restores its
 *                   failover containers elsewhere
 */
public record ClusterSettings(List<String> endpoints, String prefix, Path caFile, Path certFile, Path keyFile,
        Map<String, String> labels, Duration lease, Duration fence, Duration failover) {
    public static final String DEFAULT_PREFIX = "/godwit";
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_FAILOVER = Duration.ofSeconds(30);

    /** Without failover timings: the defaults (T1 half the lease, T2 30 s). */
    public ClusterSettings(List<String> endpoints, String prefix, Path caFile, Path certFile, Path keyFile,
            Map<String, String> labels, Duration lease) {
        this(endpoints, prefix, caFile, certFile, keyFile, labels, lease, lease.dividedBy(2), DEFAULT_FAILOVER);
    }

    public ClusterSettings {
        endpoints = List.copyOf(endpoints);
        labels = Map.copyOf(labels);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no etcd endpoint given");
        }
        for (String e : endpoints) {
            if (!e.matches("https?://[^/\\s]+")) {
                throw new IllegalArgumentException("'" + e + "' is not an etcd client URL such as http://10.0.0.9:2379");
            }
        }
        if (!prefix.matches("/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")) {
            throw new IllegalArgumentException("prefix '" + prefix + "' is not a key path such as /godwit");
        }
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("give both the client certificate and its key, or neither");
        }
        if (lease.toSeconds() < 2) {
            throw new IllegalArgumentException("the lease must last at least 2 seconds");
        }
        new FailoverTiming(lease, fence, FailoverTiming.FREEZE_BOUND, failover).check();
    }

    /** The endpoints of a --cluster option: URLs separated by commas. */
    public static ClusterSettings ofUrls(String urls) {
        List<String> list = java.util.Arrays.stream(urls.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        return new ClusterSettings(list, DEFAULT_PREFIX, null, null, null, Map.of(), DEFAULT_LEASE);
    }

    public ClusterSettings withEndpoints(List<String> list) {
        return new ClusterSettings(list, prefix, caFile, certFile, keyFile, labels, lease, fence, failover);
    }

    public FailoverTiming timing() {
        return new FailoverTiming(lease, fence, FailoverTiming.FREEZE_BOUND, failover);
    }

    public String endpointList() {
        return String.join(",", endpoints);
    }
}
