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
 * and the tasks run again (measured: a memwriter killed mid-dump goes on verifying its
 * memory), but two things may remain: tasks left in a stop state, and the nftables table
 * CRIU created to lock the tree's network (measured: "inet CRIU-&lt;uuid&gt;" in the tree's
 * network namespace, left behind when criu is SIGKILLed), which would keep the container cut
 * off. Both are undone here, best effort: the tree must keep running whatever happens to the
 * dump. Tables are only removed in a network namespace that is not the JVM's own, where no
 * other dump can hold a lock.
 */
final class DumpCleanup {
    private DumpCleanup() {}

    static void afterKilledDump(int pid, Rpc.criu_network_lock_method lock) {
        if (pid <= 0 || LibC.INSTANCE.kill(pid, 0) != 0) return;
        for (int task : tree(pid)) LibC.INSTANCE.kill(task, LibC.SIGCONT);
        if (lock == Rpc.criu_network_lock_method.NFTABLES && ownNetns(pid)) {
            String ns = Integer.toString(pid);
            for (String line : run("nsenter", "-t", ns, "-n", "nft", "list", "tables").split("\n")) {
                String[] w = line.trim().split("\s+"); // "table inet CRIU-..."
                if (w.length == 3 && w[0].equals("table") && w[2].startsWith("CRIU-")) {
                    run("nsenter", "-t", ns, "-n", "nft", "delete", "table", w[1], w[2]);
                }
            }
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

    private static boolean ownNetns(int pid) {
        try {
            return !Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "ns", "net"))
                    .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")));
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs a short command and returns its output ("" when it cannot run). */
    private static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
            return out;
        } catch (IOException e) {
            return ""; // nft or nsenter missing: then CRIU could not have locked with nftables either
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
