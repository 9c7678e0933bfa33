package io.godwit.migrator;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.runtime.ContainerSpec;
import io.godwit.runtime.cgroup.ResourceLimits;

/**
 * Limits a new container gets from the daemon's settings when its request does not give them
 * (null: no default, i.e. unlimited). A limit the request gives wins, 0 included (unlimited).
 */
public record ContainerDefaults(Long memoryBytes, Long cpuMillis, Long pids) {
    public static final ContainerDefaults NONE = new ContainerDefaults(null, null, null);

    /**
     * The spec with every limit that {@code requestedLimits} (the request's "limits" object, or a
     * missing node) leaves out taken from these defaults.
     */
    public ContainerSpec applyTo(ContainerSpec spec, JsonNode requestedLimits) {
        if (equals(NONE)) {
            return spec;
        }
        ResourceLimits l = spec.limits() == null ? ResourceLimits.NONE : spec.limits();
        return spec.withLimits(new ResourceLimits(
                pick(requestedLimits, "memoryBytes", l.memoryBytes(), memoryBytes),
                pick(requestedLimits, "cpuMillis", l.cpuMillis(), cpuMillis),
                pick(requestedLimits, "pids", l.pids(), pids)));
    }

    private static long pick(JsonNode requested, String field, long given, Long fallback) {
        boolean present = requested != null && requested.has(field) && !requested.get(field).isNull();
        return present || fallback == null ? given : fallback;
    }
}
