package io.godwit.migrator.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the tasks of a process tree that are stopped (SIGSTOP, SIGTSTP, ...) or traced, by
 * walking /proc from the tree's root through every thread's children. A task that exits during
 * the walk is simply not counted.
 */
final class StoppedTasks {
    private static final Path PROC = Path.of("/proc");

    private StoppedTasks() {
    }

    /** Host tids of the tree under rootPid whose state is 'T' (stopped) or 't' (traced). */
    static List<Integer> under(int rootPid) throws IOException {
        List<Integer> stopped = new ArrayList<>();
        Deque<Integer> todo = new ArrayDeque<>(List.of(rootPid));
        Set<Integer> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            int pid = todo.pop();
            if (!seen.add(pid)) {
                continue;
            }
            for (int tid : threadsOf(pid)) {
                Path task = PROC.resolve(Integer.toString(pid)).resolve("task").resolve(Integer.toString(tid));
                char state = state(task.resolve("stat"));
                if (state == 'T' || state == 't') {
                    stopped.add(tid);
                }
                for (String child : read(task.resolve("children")).trim().split("\\s+")) {
                    if (!child.isEmpty()) {
                        todo.push(Integer.parseInt(child));
                    }
                }
            }
        }
        return stopped;
    }

    private static List<Integer> threadsOf(int pid) throws IOException {
        try (var s = Files.list(PROC.resolve(Integer.toString(pid)).resolve("task"))) {
            return s.map(p -> Integer.parseInt(p.getFileName().toString())).toList();
        } catch (NoSuchFileException gone) {
            return List.of();
        }
    }

    /** The state letter of a /proc stat line: the field after the parenthesised command name. */
    static char state(Path stat) throws IOException {
        String line = read(stat);
        int close = line.lastIndexOf(')');
        return close < 0 || close + 2 >= line.length() ? '?' : line.charAt(close + 2);
    }

    private static String read(Path p) throws IOException {
        try {
            return Files.readString(p);
        } catch (NoSuchFileException gone) {
            return "";
        }
    }
}
