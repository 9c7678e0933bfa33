package io.godwit.runtime.cgroup;

import java.io.IOException;
import java.util.Map;

/** One container's cgroup (in every controller it uses on v1; one directory on v2). */
public interface Cgroup {

    String name();

    /** Moves a process (and so its future children) into the cgroup. */
    void addProcess(int pid) throws IOException;

    /**
     * The cgroup.procs files a process writes its pid into to join this cgroup itself (every v1
     * hierarchy, or the one v2 directory): `godwit exec` joins before it forks the command.
     */
    java.util.List<java.nio.file.Path> procsFiles();

    /**
     * Where the device allow-list must be attached as an eBPF program (cgroup v2, whose devices
     * controller is one); empty where the kernel's v1 devices controller enforces it already.
     */
    default java.util.Optional<java.nio.file.Path> deviceProgramDir() {
        return java.util.Optional.empty();
    }

    void applyLimits(ResourceLimits limits) throws IOException;

    /** Freezes every task and waits until the kernel reports them frozen. */
    void freeze() throws IOException;

    void thaw() throws IOException;

    boolean isFrozen() throws IOException;

    CgroupStats stats() throws IOException;

    /** Whether the memory controller has killed a task for exceeding the limit (OOM events). */
    long oomKills() throws IOException;

    /**
     * Controller name to absolute cgroup path (relative to the controller's mount), as CRIU's
     * cg_root and freeze_cgroup want it. On v2 the single key is "" (unified).
     */
    Map<String, String> paths();

    /** The freezer directory on the host, for CRIU's freeze_cgroup option. */
    String freezerPath();

    /** Kills what is left in it and removes it. */
    void destroy() throws IOException;
}
