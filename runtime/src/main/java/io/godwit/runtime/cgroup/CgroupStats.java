package io.godwit.runtime.cgroup;

/** A snapshot of a container cgroup's usage. */
public record CgroupStats(long memoryBytes, long memoryLimitBytes, long cpuNanos, long pids) {
}
