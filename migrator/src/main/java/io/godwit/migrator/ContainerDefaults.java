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
    /** A new container's process limit when neither the request nor the settings give one: no fork bombs. */
    public static final long BUILT_IN_PIDS = 4096;

    /**
     * These defaults with the built-in ones where the settings gave none: pids {@value #BUILT_IN_PIDS},
     * memory half of the host's RAM (one container cannot take the whole host), CPU unlimited.
     * A settings value of 0 (unlimited) stays 0.
     */
    public ContainerDefaults withBuiltIns() {
        return new ContainerDefaults(memoryBytes != null ? memoryBytes : halfOfHostMemory(), cpuMillis,
                pids != null ? pids : BUILT_IN_PIDS);
    }

    static Long halfOfHostMemory() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024 / 2;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // no /proc/meminfo: leave memory unlimited
        }
        return null;
    }

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
