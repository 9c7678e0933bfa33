package io.godwit.runtime.confine;

import java.util.List;

/**
 * The device cgroup's allow-list (runc's default): any node may be created (mknod), but only these
 * may be opened: null, zero, full, random, urandom, tty, console, ptmx and the pseudo-terminals.
 * A block device made with mknod cannot be read, written or mounted. On cgroup v1 these lines go to
 * devices.allow; on v2 the monitor compiles the same lines into an eBPF device program attached to the
 * container's cgroup (runtime/src/main/c/devices.c).
 */
public final class DeviceRules {
    /** Lines for devices.allow (cgroup v1, after "a" went to devices.deny) and for the v2 device program. */
    public static final List<String> ALLOW = List.of("c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm",
            "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm");

    private DeviceRules() {
    }
}
