package io.godwit.runtime.cgroup;

import io.godwit.runtime.confine.DeviceRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A container's cgroup on v1: one directory of the same path in every hierarchy. */
final class CgroupV1 implements Cgroup {

    private static final long CFS_PERIOD_US = 100_000;
    /** v1 reports "no limit" as the largest page-aligned long; anything this big means unlimited. */
    private static final long UNLIMITED_THRESHOLD = Long.MAX_VALUE / 2;
    private static final long FREEZE_TIMEOUT_MS = 10_000;
    private static final long KILL_TIMEOUT_MS = 5_000;

    private final String name;
    private final String path;
    private final List<CgroupMounts.V1Hierarchy> hierarchies;

    CgroupV1(String name, String path, List<CgroupMounts.V1Hierarchy> hierarchies) {
        this.name = name;
        this.path = path;
        this.hierarchies = hierarchies;
    }

    @Override
    public String name() {
        return name;
    }

    boolean exists() {
        return hierarchies.stream().anyMatch(h -> Files.isDirectory(dir(h)));
    }

    Path dir(String controller) {
        return hierarchies.stream().filter(h -> h.has(controller)).findFirst().map(this::dir)
                .orElseThrow(() -> new IllegalStateException("controller " + controller + " not mounted"));
    }

    private Path dir(CgroupMounts.V1Hierarchy h) {
        return h.mountPoint().resolve(path.substring(1));
    }

    @Override
    public void addProcess(int pid) throws IOException {
        // Every hierarchy, so that the process's cgroup path is the same everywhere for CRIU.
        for (CgroupMounts.V1Hierarchy h : hierarchies) {
            CgroupFiles.write(dir(h).resolve("cgroup.procs"), Integer.toString(pid));
        }
    }

    @Override
    public List<Path> procsFiles() {
        return hierarchies.stream().map(h -> dir(h).resolve("cgroup.procs")).toList();
    }

    @Override
    public void applyLimits(ResourceLimits limits) throws IOException {
        applyMemory(limits.memoryBytes() > 0 ? limits.memoryBytes() : -1);
        Path cpu = dir("cpu");
        CgroupFiles.write(cpu.resolve("cpu.cfs_period_us"), Long.toString(CFS_PERIOD_US));
        long quota = limits.cpuMillis() > 0 ? Math.max(1000, limits.cpuMillis() * CFS_PERIOD_US / 1000) : -1;
        CgroupFiles.write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(quota));
        CgroupFiles.write(dir("pids").resolve("pids.max"), limits.pids() > 0 ? Long.toString(limits.pids()) : "max");
    }

    /**
     * Replaces the inherited "a *:* rwm" with runc's default allow-list ({@link DeviceRules}): deny
     * everything, then allow those. Without a devices hierarchy (not mounted) there is nothing to set.
     */
    void allowOnlyDefaultDevices() throws IOException {
        if (hierarchies.stream().noneMatch(h -> h.has("devices"))) {
            return;
        }
        Path devices = dir("devices");
        CgroupFiles.write(devices.resolve("devices.deny"), "a");
        for (String rule : DeviceRules.ALLOW) {
            CgroupFiles.write(devices.resolve("devices.allow"), rule);
        }
    }

    /**
     * Sets memory.limit_in_bytes and, when the kernel accounts swap, memory.memsw.limit_in_bytes to
     * the same value, so the limit cannot be dodged by swapping. The kernel insists memsw >= memory
     * at every moment, so raise memsw first and lower it last.
     */
    private void applyMemory(long bytes) throws IOException {
        Path memory = dir("memory");
        Path limit = memory.resolve("memory.limit_in_bytes");
        Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
        if (!Files.exists(memsw)) {
            CgroupFiles.write(limit, Long.toString(bytes));
            return;
        }
        long currentMemsw = CgroupFiles.readLong(memsw);
        boolean raising = bytes < 0 || bytes > currentMemsw;
        if (raising) {
            CgroupFiles.write(memsw, Long.toString(bytes));
            CgroupFiles.write(limit, Long.toString(bytes));
        } else {
            CgroupFiles.write(limit, Long.toString(bytes));
            CgroupFiles.write(memsw, Long.toString(bytes));
        }
    }

    @Override
    public void freeze() throws IOException {
        Path state = dir("freezer").resolve("freezer.state");
        long deadline = System.nanoTime() + FREEZE_TIMEOUT_MS * 1_000_000;
        CgroupFiles.write(state, "FROZEN");
        // The kernel answers FREEZING until every task has stopped; writing FROZEN again retries
        // tasks that were busy (in a vfork, say) the first time.
        while (!CgroupFiles.read(state).equals("FROZEN")) {
            if (System.nanoTime() > deadline) {
                String last = CgroupFiles.read(state);
                CgroupFiles.write(state, "THAWED");
                throw new IOException("cgroup " + path + " did not freeze within " + FREEZE_TIMEOUT_MS
                        + " ms (" + state + " said " + last + "); thawed it again");
            }
            CgroupFiles.sleep(10);
            CgroupFiles.write(state, "FROZEN");
        }
    }

    @Override
    public void thaw() throws IOException {
        CgroupFiles.write(dir("freezer").resolve("freezer.state"), "THAWED");
    }

    @Override
    public boolean isFrozen() throws IOException {
        return CgroupFiles.read(dir("freezer").resolve("freezer.state")).equals("FROZEN");
    }

    @Override
    public CgroupStats stats() throws IOException {
        Path memory = dir("memory");
        long limit = CgroupFiles.readLong(memory.resolve("memory.limit_in_bytes"));
        return new CgroupStats(
                CgroupFiles.readLong(memory.resolve("memory.usage_in_bytes")),
                limit >= UNLIMITED_THRESHOLD ? 0 : limit,
                CgroupFiles.readLong(dir("cpuacct").resolve("cpuacct.usage")),
                CgroupFiles.readLong(dir("pids").resolve("pids.current")));
    }

    @Override
    public long oomKills() throws IOException {
        // "oom_kill N" appeared in memory.oom_control with Linux 4.13; older kernels only count
        // hitting the limit (memory.failcnt), which is not the same thing, so report 0 there.
        return CgroupFiles.keyed(dir("memory").resolve("memory.oom_control"), "oom_kill").orElse(0L);
    }

    @Override
    public Map<String, String> paths() {
        Map<String, String> paths = new LinkedHashMap<>();
        for (CgroupMounts.V1Hierarchy h : hierarchies) {
            paths.put(h.name(), path);
        }
        return paths;
    }

    @Override
    public String freezerPath() {
        return dir("freezer").toString();
    }

    @Override
    public void destroy() throws IOException {
        Path freezer = dir("freezer");
        // A frozen task does not die from SIGKILL until thawed.
        if (Files.isDirectory(freezer)) {
            CgroupFiles.write(freezer.resolve("freezer.state"), "THAWED");
        }
        List<IOException> failures = new ArrayList<>();
        for (CgroupMounts.V1Hierarchy h : hierarchies) {
            Path dir = dir(h);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try {
                CgroupFiles.killAll(dir.resolve("cgroup.procs"), KILL_TIMEOUT_MS);
                CgroupFiles.rmdir(dir, KILL_TIMEOUT_MS);
            } catch (IOException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            IOException e = new IOException("cannot fully destroy cgroup " + path + ": " + failures.get(0).getMessage(),
                    failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    @Override
    public String toString() {
        return "cgroup v1 " + path;
    }
}
