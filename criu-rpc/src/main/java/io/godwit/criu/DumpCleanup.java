package io.godwit.criu;

import io.godwit.criu.internal.LibC;
import io.godwit.proto.criu.Rpc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * After criu died in the middle of a dump (cancel, timeout, crash): the kernel ends its ptrace
 * and the tasks run again, but two things may remain: tasks left in a stop state, and the
 * nftables table CRIU created to lock the tree's network (named "CRIU-&lt;pid&gt;" in the
 * tree's network namespace), which would keep the container cut off. Both are undone here,
 * best effort: the tree must keep running whatever happens to the dump.
 */
final class DumpCleanup {
    private DumpCleanup() {}

    static void afterKilledDump(int pid, Rpc.criu_network_lock_method lock) {
        if (pid <= 0 || LibC.INSTANCE.kill(pid, 0) != 0) return;
        for (int task : tree(pid)) LibC.INSTANCE.kill(task, LibC.SIGCONT);
        if (lock == Rpc.criu_network_lock_method.NFTABLES) {
            run("nsenter", "-t", Integer.toString(pid), "-n", "nft", "delete", "table", "inet", "CRIU-" + pid);
        }
    }

    /** The pid and all its descendants, from /proc/PID/task/TID/children. */
    static List<Integer> tree(int root) {
        List<Integer> out = new ArrayList<>();
        List<Integer> todo = new ArrayList<>(List.of(root));
        while (!todo.isEmpty()) {
            int p = todo.removeLast();
            out.add(p);
            try (var tasks = Files.list(Path.of("/proc", Integer.toString(p), "task"))) {
                for (Path t : (Iterable<Path>) tasks::iterator) {
                    String children = Files.readString(t.resolve("children")).trim();
                    if (children.isEmpty()) continue;
                    for (String c : children.split("\\s+")) todo.add(Integer.parseInt(c));
                }
            } catch (IOException | RuntimeException e) {
                // the task went away meanwhile: nothing to resume there
            }
        }
        return out;
    }

    private static void run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
        } catch (IOException e) {
            // nft or nsenter missing: then CRIU could not have locked with nftables either
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
