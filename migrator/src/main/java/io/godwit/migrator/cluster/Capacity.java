package io.godwit.migrator.cluster;

import java.util.List;

/**
 * What a member can take: memory and disk now free, its CPU (CRIU refuses to restore on a CPU that
 * lacks features the dump used), and what its CRIU can do (from the host probe).
 *
 * @param memoryTotal     MemTotal, bytes
 * @param memoryAvailable MemAvailable, bytes
 * @param diskFree        free bytes under the daemon's root
 * @param cpuModel        "model name" of /proc/cpuinfo
 * @param cpuFlags        its "flags", sorted
 * @param cpus            online CPUs
 * @param criuVersion     CRIU's version
 * @param criuWorks       the probe could checkpoint and restore here
 * @param lazyPages       userfaultfd: lazy (post-copy) moves possible
 * @param breakpoints     what the probe found of hardware breakpoints
 */
public record Capacity(long memoryTotal, long memoryAvailable, long diskFree, String cpuModel, List<String> cpuFlags,
        int cpus, String criuVersion, boolean criuWorks, boolean lazyPages, String breakpoints) {
    public Capacity {
        cpuFlags = cpuFlags == null ? List.of() : List.copyOf(cpuFlags);
    }
}
