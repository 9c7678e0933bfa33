package io.godwit.runtime.cgroup;

import java.io.IOException;

/** Creates and finds cgroups for containers; one implementation for v1 (hybrid) and one for v2. */
public interface CgroupManager {

    /** The manager for this host: v2 when /sys/fs/cgroup is cgroup2, else v1. */
    static CgroupManager detect() {
        return detect(CgroupV1Manager.DEFAULT_PARENT);
    }

    /**
     * The manager for this host, with the containers' cgroups under parent: two daemons on one
     * machine (test hosts) need two parents, or a container moved between them meets itself.
     */
    static CgroupManager detect(String parent) {
        try {
            CgroupMounts mounts = CgroupMounts.read();
            return mounts.pureV2() ? new CgroupV2Manager(CgroupV2Manager.DEFAULT_ROOT, parent)
                    : new CgroupV1Manager(mounts.v1(), parent);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot detect the cgroup layout: " + e.getMessage(), e);
        }
    }

    /** Creates (or re-opens, if it exists) the cgroup of a container, e.g. godwit/NAME. */
    Cgroup create(String containerName, ResourceLimits limits) throws IOException;

    /** Re-opens an existing container cgroup after a daemon restart. */
    Cgroup open(String containerName) throws IOException;

    boolean isV2();
}
