package io.godwit.migrator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The "cluster" key of godwitd's settings file: either the endpoints as one string
 * ("http://10.0.0.9:2379,http://10.0.0.10:2379") or an object:
 * <pre>
 * {"endpoints": ["https://10.0.0.9:2379"], "prefix": "/godwit",
 *  "caFile": "/etc/godwit/etcd-ca.pem", "certFile": "/etc/godwit/etcd-client.pem",
 *  "keyFile": "/etc/godwit/etcd-client.key", "labels": {"rack": "r1"}, "leaseSeconds": 10,
 *  "fenceSeconds": 5, "failoverSeconds": 30}
 * </pre>
 * Errors name the key (the caller adds the file).
 */
public final class ClusterConfig {
    private static final Set<String> KEYS = Set.of("endpoints", "prefix", "caFile", "certFile", "keyFile", "labels",
            "leaseSeconds", "fenceSeconds", "failoverSeconds");

    private ClusterConfig() {
    }

    /** Reads v (null or JSON null: no cluster); an IllegalArgumentException names what is wrong. */
    public static ClusterSettings read(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return ClusterSettings.ofUrls(v.asText());
        }
        if (!v.isObject()) {
            throw new IllegalArgumentException("key 'cluster' must be the etcd URLs or an object, not " + v);
        }
        for (var it = v.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown key 'cluster." + k + "' (known here: " + String.join(", ",
                        KEYS.stream().sorted().toList()) + ")");
            }
        }
        JsonNode e = v.path("endpoints");
        List<String> endpoints = new ArrayList<>();
        if (e.isTextual()) {
            endpoints.addAll(ClusterSettings.ofUrls(e.asText()).endpoints());
        } else if (e.isArray()) {
            e.forEach(x -> endpoints.add(x.asText()));
        } else {
            throw new IllegalArgumentException("key 'cluster.endpoints' must be the etcd URLs (a string or a list)");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode l = v.path("labels");
        if (!l.isMissingNode()) {
            if (!l.isObject()) {
                throw new IllegalArgumentException("key 'cluster.labels' must be an object of strings");
            }
            l.fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
        }
        long lease = v.path("leaseSeconds").asLong(ClusterSettings.DEFAULT_LEASE.toSeconds());
        // T1 defaults to half the lease, T2 to 30 s: see docs/CLUSTER.md, "Timing"
        double fence = v.path("fenceSeconds").asDouble(lease / 2.0);
        double failover = v.path("failoverSeconds").asDouble(ClusterSettings.DEFAULT_FAILOVER.toSeconds());
        try {
            return new ClusterSettings(endpoints, v.path("prefix").asText(ClusterSettings.DEFAULT_PREFIX),
                    file(v, "caFile"), file(v, "certFile"), file(v, "keyFile"), labels, Duration.ofSeconds(lease),
                    Duration.ofMillis(Math.round(fence * 1000)), Duration.ofMillis(Math.round(failover * 1000)));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("key 'cluster': " + ex.getMessage());
        }
    }

    private static Path file(JsonNode v, String key) {
        JsonNode f = v.get(key);
        if (f == null || f.isNull()) {
            return null;
        }
        Path p = Path.of(f.asText());
        if (!p.isAbsolute()) {
            throw new IllegalArgumentException("key 'cluster." + key + "' must be an absolute path, not " + f);
        }
        return p;
    }
}
