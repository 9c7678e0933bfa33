package io.godwit.runtime.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Cgroups on a v1 (or hybrid) host: the container gets {@code PARENT/NAME} in every mounted v1
 * hierarchy, not only in those it sets limits in, so that CRIU finds the same path everywhere
 * (cg_root) and a restore can put it back in one piece. The unified (v2) hierarchy of a hybrid
 * host carries no controllers we use and is left alone.
 */
public final class CgroupV1Manager implements CgroupManager {

    static final String DEFAULT_PARENT = "godwit";

    private final List<CgroupMounts.V1Hierarchy> hierarchies;
    private final String parent;

    /** Uses every v1 hierarchy mounted on this host and the parent directory "godwit". */
    public CgroupV1Manager() throws IOException {
        this(CgroupMounts.read().v1(), DEFAULT_PARENT);
    }

    /** Uses every v1 hierarchy mounted on this host and another parent directory (one per daemon, say). */
    public CgroupV1Manager(String parent) throws IOException {
        this(CgroupMounts.read().v1(), parent);
    }

    CgroupV1Manager(List<CgroupMounts.V1Hierarchy> hierarchies, String parent) {
        this.hierarchies = List.copyOf(hierarchies);
        this.parent = CgroupNames.validate(parent);
        for (String needed : List.of("memory", "cpu", "cpuacct", "pids", "freezer")) {
            if (hierarchies.stream().noneMatch(h -> h.has(needed))) {
                throw new IllegalStateException("cgroup v1 controller '" + needed + "' is not mounted (hierarchies: "
                        + hierarchies.stream().map(CgroupMounts.V1Hierarchy::name).toList() + ")");
            }
        }
    }

    @Override
    public Cgroup create(String containerName, ResourceLimits limits) throws IOException {
        CgroupV1 cgroup = cgroup(containerName);
        boolean existed = cgroup.exists();
        try {
            for (CgroupMounts.V1Hierarchy h : hierarchies) {
                Path parentDir = h.mountPoint().resolve(parent);
                Path dir = parentDir.resolve(containerName);
                mkdir(parentDir);
                mkdir(dir);
                if (h.has("cpuset")) {
                    // A new cpuset starts with no CPUs and no memory nodes, and refuses tasks until given some.
                    inheritCpuset(parentDir);
                    inheritCpuset(dir);
                }
            }
            cgroup.applyLimits(limits);
            cgroup.allowOnlyDefaultDevices();
        } catch (IOException | RuntimeException e) {
            if (!existed) {
                try {
                    cgroup.destroy();
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
        return cgroup;
    }

    @Override
    public Cgroup open(String containerName) throws IOException {
        CgroupV1 cgroup = cgroup(containerName);
        if (!cgroup.exists()) {
            throw new IOException("no cgroup " + parent + "/" + containerName + " (looked in " + cgroup.dir("freezer")
                    + ")");
        }
        return cgroup;
    }

    @Override
    public boolean isV2() {
        return false;
    }

    private CgroupV1 cgroup(String containerName) {
        return new CgroupV1(CgroupNames.validate(containerName), "/" + parent + "/" + containerName, hierarchies);
    }

    private static void mkdir(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot create cgroup " + dir + ": " + e, e);
        }
    }

    private static void inheritCpuset(Path dir) throws IOException {
        for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
            Path own = dir.resolve(file);
            if (CgroupFiles.read(own).isEmpty()) {
                CgroupFiles.write(own, CgroupFiles.read(dir.getParent().resolve(file)));
            }
        }
    }
}
