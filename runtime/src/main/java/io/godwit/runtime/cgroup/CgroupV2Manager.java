package io.godwit.runtime.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cgroups on the unified hierarchy: one directory {@code ROOT/PARENT/NAME}. The controllers we use
 * (memory, cpu, pids) must be enabled in the subtree_control of ROOT and of PARENT for the files to
 * appear in NAME; the freezer is built into v2 (cgroup.freeze). PARENT holds no processes itself
 * (v2's no-internal-process rule).
 */
public final class CgroupV2Manager implements CgroupManager {

    static final List<String> WANTED = List.of("cpu", "memory", "pids");

    static final Path DEFAULT_ROOT = Path.of("/sys/fs/cgroup");

    private final Path root;
    private final String parent;

    /** The manager for a host whose /sys/fs/cgroup is cgroup2. */
    public CgroupV2Manager() {
        this(DEFAULT_ROOT, CgroupV1Manager.DEFAULT_PARENT);
    }

    /** A manager rooted at another cgroup2 mount or directory (a hybrid host's unified mount, a delegated subtree). */
    public CgroupV2Manager(Path root, String parent) {
        this.root = root;
        this.parent = CgroupNames.validate(parent);
    }

    @Override
    public Cgroup create(String containerName, ResourceLimits limits) throws IOException {
        CgroupV2 cgroup = cgroup(containerName);
        boolean existed = Files.isDirectory(cgroup.dir());
        Path parentDir = root.resolve(parent);
        try {
            mkdir(parentDir);
            enableControllers(root);
            enableControllers(parentDir);
            mkdir(cgroup.dir());
            cgroup.applyLimits(limits);
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
        CgroupV2 cgroup = cgroup(containerName);
        if (!Files.isDirectory(cgroup.dir())) {
            throw new IOException("no cgroup " + cgroup.dir());
        }
        return cgroup;
    }

    @Override
    public boolean isV2() {
        return true;
    }

    private CgroupV2 cgroup(String containerName) {
        CgroupNames.validate(containerName);
        return new CgroupV2(containerName, "/" + parent + "/" + containerName,
                root.resolve(parent).resolve(containerName));
    }

    /**
     * Enables in {@code dir}'s subtree_control those of the wanted controllers that {@code dir} has
     * (cgroup.controllers); one write per controller so that one the kernel refuses names itself.
     * Controllers missing here are reported when a limit needs them, not before.
     */
    private static void enableControllers(Path dir) throws IOException {
        List<String> available = Arrays.asList(CgroupFiles.read(dir.resolve("cgroup.controllers")).split("\\s+"));
        List<String> enabled = new ArrayList<>(
                Arrays.asList(CgroupFiles.read(dir.resolve("cgroup.subtree_control")).split("\\s+")));
        for (String controller : WANTED) {
            if (available.contains(controller) && !enabled.contains(controller)) {
                CgroupFiles.write(dir.resolve("cgroup.subtree_control"), "+" + controller);
                enabled.add(controller);
            }
        }
    }

    private static void mkdir(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot create cgroup " + dir + ": " + e, e);
        }
    }
}
