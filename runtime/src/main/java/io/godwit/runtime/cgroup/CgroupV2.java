package io.godwit.runtime.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A container's cgroup on v2: a single directory. */
final class CgroupV2 implements Cgroup {

    private static final long CPU_PERIOD_US = 100_000;
    private static final long FREEZE_TIMEOUT_MS = 10_000;
    private static final long KILL_TIMEOUT_MS = 5_000;

    private final String name;
    private final String path;
    private final Path dir;

    CgroupV2(String name, String path, Path dir) {
        this.name = name;
        this.path = path;
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void addProcess(int pid) throws IOException {
        CgroupFiles.write(dir.resolve("cgroup.procs"), Integer.toString(pid));
    }

    @Override
    public java.util.List<Path> procsFiles() {
        return java.util.List.of(dir.resolve("cgroup.procs"));
    }

    @Override
    public java.util.Optional<Path> deviceProgramDir() {
        return java.util.Optional.of(dir);
    }

    @Override
    public void applyLimits(ResourceLimits limits) throws IOException {
        writeLimit("memory.max", limits.memoryBytes() > 0 ? Long.toString(limits.memoryBytes()) : "max",
                limits.memoryBytes() > 0);
        // Without swap.max the limit could be dodged by swapping; absent when the host has no swap accounting.
        if (Files.exists(dir.resolve("memory.swap.max"))) {
            CgroupFiles.write(dir.resolve("memory.swap.max"), limits.memoryBytes() > 0 ? "0" : "max");
        }
        String quota = limits.cpuMillis() > 0
                ? Long.toString(Math.max(1000, limits.cpuMillis() * CPU_PERIOD_US / 1000))
                : "max";
        writeLimit("cpu.max", quota + " " + CPU_PERIOD_US, limits.cpuMillis() > 0);
        writeLimit("pids.max", limits.pids() > 0 ? Long.toString(limits.pids()) : "max", limits.pids() > 0);
    }

    /**
     * Writes a limit file; if its controller is not enabled here the file is missing, which is an
     * error only when a real limit was asked for.
     */
    private void writeLimit(String file, String value, boolean required) throws IOException {
        Path target = dir.resolve(file);
        if (Files.exists(target)) {
            CgroupFiles.write(target, value);
        } else if (required) {
            String controller = file.substring(0, file.indexOf('.'));
            throw new IOException("cannot set " + file + "=" + value + ": controller '" + controller
                    + "' is not enabled for " + dir + " (" + target + " missing; see cgroup.subtree_control of "
                    + dir.getParent() + ")");
        }
    }

    @Override
    public void freeze() throws IOException {
        CgroupFiles.write(dir.resolve("cgroup.freeze"), "1");
        long deadline = System.nanoTime() + FREEZE_TIMEOUT_MS * 1_000_000;
        // cgroup.freeze is only the wish; cgroup.events says "frozen 1" once every task has stopped.
        while (!isFrozen()) {
            if (System.nanoTime() > deadline) {
                CgroupFiles.write(dir.resolve("cgroup.freeze"), "0");
                throw new IOException("cgroup " + dir + " did not freeze within " + FREEZE_TIMEOUT_MS
                        + " ms (cgroup.events: " + CgroupFiles.read(dir.resolve("cgroup.events")).replace('\n', ' ')
                        + "); thawed it again");
            }
            CgroupFiles.sleep(10);
        }
    }

    @Override
    public void thaw() throws IOException {
        CgroupFiles.write(dir.resolve("cgroup.freeze"), "0");
    }

    @Override
    public boolean isFrozen() throws IOException {
        return CgroupFiles.keyed(dir.resolve("cgroup.events"), "frozen").orElse(0L) == 1;
    }

    /** Values of controllers that are not enabled read as 0. */
    @Override
    public CgroupStats stats() throws IOException {
        long memory = CgroupFiles.readIfExists(dir.resolve("memory.current")).map(Long::parseLong).orElse(0L);
        long limit = CgroupFiles.readIfExists(dir.resolve("memory.max"))
                .map(v -> v.equals("max") ? 0L : Long.parseLong(v)).orElse(0L);
        // cpu.stat is there even without the cpu controller (core accounting), in microseconds.
        long cpuNanos = CgroupFiles.keyed(dir.resolve("cpu.stat"), "usage_usec").orElse(0L) * 1000;
        long pids = CgroupFiles.readIfExists(dir.resolve("pids.current")).map(Long::parseLong)
                .orElseGet(() -> {
                    try {
                        return (long) CgroupFiles.pids(dir.resolve("cgroup.procs")).size();
                    } catch (IOException e) {
                        return 0L;
                    }
                });
        return new CgroupStats(memory, limit, cpuNanos, pids);
    }

    @Override
    public long oomKills() throws IOException {
        return CgroupFiles.keyed(dir.resolve("memory.events"), "oom_kill").orElse(0L);
    }

    @Override
    public Map<String, String> paths() {
        return Map.of("", path);
    }

    @Override
    public String freezerPath() {
        return dir.toString();
    }

    @Override
    public void destroy() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        Path kill = dir.resolve("cgroup.kill");
        if (Files.exists(kill)) {
            // cgroup.kill (Linux 5.14) kills frozen tasks too, and races no fork.
            CgroupFiles.write(kill, "1");
        } else {
            thaw();
        }
        CgroupFiles.killAll(dir.resolve("cgroup.procs"), KILL_TIMEOUT_MS);
        CgroupFiles.rmdir(dir, KILL_TIMEOUT_MS);
    }

    @Override
    public String toString() {
        return "cgroup v2 " + dir;
    }
}
