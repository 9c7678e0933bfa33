package io.godwit.runtime.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The cgroup file systems mounted on this host, read from /proc/self/mountinfo. */
record CgroupMounts(List<V1Hierarchy> v1, Optional<Path> unified) {

    /**
     * One v1 hierarchy: its name as CRIU and /proc/PID/cgroup spell it ("memory", "cpu,cpuacct",
     * "name=systemd"), the controllers bound to it, and where it is mounted.
     */
    record V1Hierarchy(String name, List<String> controllers, Path mountPoint) {
        boolean has(String controller) {
            return controllers.contains(controller);
        }
    }

    static CgroupMounts read() throws IOException {
        Path mountinfo = Path.of("/proc/self/mountinfo");
        try {
            return parse(Files.readAllLines(mountinfo));
        } catch (IOException e) {
            throw new IOException("cannot read " + mountinfo + ": " + e, e);
        }
    }

    static CgroupMounts parse(List<String> lines) {
        List<V1Hierarchy> v1 = new ArrayList<>();
        Optional<Path> unified = Optional.empty();
        for (String line : lines) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] before = line.substring(0, dash).split(" ");
            String[] after = line.substring(dash + 3).split(" ");
            if (before.length < 5 || after.length < 3) {
                continue;
            }
            Path mountPoint = Path.of(unescape(before[4]));
            String fsType = after[0];
            if (fsType.equals("cgroup2")) {
                // The first cgroup2 mount wins, but /sys/fs/cgroup itself (pure v2) beats a hybrid's unified.
                if (unified.isEmpty() || mountPoint.equals(Path.of("/sys/fs/cgroup"))) {
                    unified = Optional.of(mountPoint);
                }
            } else if (fsType.equals("cgroup")) {
                List<String> controllers = Arrays.stream(after[2].split(","))
                        .filter(o -> !o.equals("rw") && !o.equals("ro") && !o.startsWith("xattr")
                                && !o.equals("clone_children") && !o.startsWith("release_agent")
                                && !o.equals("noprefix") && !o.equals("cpuset_v2_mode"))
                        .toList();
                if (!controllers.isEmpty() && v1.stream().noneMatch(h -> h.controllers().equals(controllers))) {
                    v1.add(new V1Hierarchy(String.join(",", controllers), controllers, mountPoint));
                }
            }
        }
        return new CgroupMounts(List.copyOf(v1), unified);
    }

    /** Whether /sys/fs/cgroup itself is cgroup2, i.e. the host runs the unified hierarchy only. */
    boolean pureV2() {
        return unified.map(p -> p.equals(Path.of("/sys/fs/cgroup"))).orElse(false);
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                try {
                    out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException e) {
                    // not an escape: keep the backslash as is
                }
            }
            out.append(c);
        }
        return out.toString();
    }
}
