package io.godwit.runtime.cgroup;

/** Limits of a container; 0 (or negative) means unlimited. cpuMillis 1000 = one whole CPU. */
public record ResourceLimits(long memoryBytes, long cpuMillis, long pids) {
    public static final ResourceLimits NONE = new ResourceLimits(0, 0, 0);
}
