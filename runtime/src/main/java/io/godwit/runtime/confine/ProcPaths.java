package io.godwit.runtime.confine;

import java.util.List;

/** The /proc and /sys paths a container must not read (masked) or write (read-only): runc's defaults. */
public final class ProcPaths {
    /** Directories get an empty read-only tmpfs, files /dev/null. */
    public static final List<String> MASKED = List.of("/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore",
            "/proc/keys", "/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list",
            "/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware");
    /** Bound over themselves and made read-only (recursively). /sys as a whole is mounted read-only anyway. */
    public static final List<String> READ_ONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");

    private ProcPaths() {
    }
}
