package io.godwit.migrator.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses a target member for each container of a member being evacuated. Pure: what it knows is
 * what the members published. A target must be ready (not evacuating, not evacuated), have a CRIU
 * that works, a CPU with every feature the source's has (a dump restores only where the CPU offers
 * what the process may be using), and room: memory and disk beyond a headroom, counting what this
 * plan already sent there. Among the targets that fit, the one running fewest containers (this
 * plan's included) wins, then the one with most memory left: evacuations spread.
 */
public final class Placement {
    /** Memory a target keeps for itself beyond what the plan puts there. */
    static final long MEMORY_HEADROOM = 256L << 20;
    /** Disk a target keeps free beyond the images the plan sends there. */
    static final long DISK_HEADROOM = 512L << 20;

    /** A container to place: its name and the memory and disk it needs. */
    public record Need(String name, long memoryBytes, long diskBytes) {
    }

    /** Where a container goes: target is null when no member fits, and why says why (or why this one). */
    public record Assignment(String container, String target, long memoryBytes, String why) {
        public boolean placed() {
            return target != null;
        }
    }

    private Placement() {
    }

    public static List<Assignment> plan(Member source, List<Need> needs, List<Member> members) {
        List<Member> ready = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (Member m : members) {
            if (m.name().equals(source.name())) {
                continue;
            }
            String no = unfit(source, m);
            if (no == null) {
                ready.add(m);
            } else {
                refused.add(m.name() + ": " + no);
            }
        }
        Map<String, Long> memLeft = new HashMap<>();
        Map<String, Long> diskLeft = new HashMap<>();
        Map<String, Integer> load = new HashMap<>();
        for (Member m : ready) {
            memLeft.put(m.name(), m.capacity().memoryAvailable() - MEMORY_HEADROOM);
            diskLeft.put(m.name(), m.capacity().diskFree() - DISK_HEADROOM);
            load.put(m.name(), m.containers());
        }
        // Biggest first: they are the hardest to fit, so they choose while there is most room.
        List<Need> order = new ArrayList<>(needs);
        order.sort(Comparator.comparingLong(Need::memoryBytes).reversed().thenComparing(Need::name));
        Map<String, Assignment> out = new HashMap<>();
        for (Need n : order) {
            Member best = null;
            for (Member m : ready) {
                if (memLeft.get(m.name()) < n.memoryBytes() || diskLeft.get(m.name()) < n.diskBytes()) {
                    continue;
                }
                if (best == null || better(m, best, load, memLeft)) {
                    best = m;
                }
            }
            if (best == null) {
                out.put(n.name(), new Assignment(n.name(), null, n.memoryBytes(), whyNone(n, ready, refused, memLeft, diskLeft)));
                continue;
            }
            memLeft.merge(best.name(), -n.memoryBytes(), Long::sum);
            diskLeft.merge(best.name(), -n.diskBytes(), Long::sum);
            load.merge(best.name(), 1, Integer::sum);
            out.put(n.name(), new Assignment(n.name(), best.name(), n.memoryBytes(),
                    "fits; " + (load.get(best.name())) + " containers there with this plan"));
        }
        return needs.stream().map(n -> out.get(n.name())).toList();
    }

    private static boolean better(Member m, Member best, Map<String, Integer> load, Map<String, Long> memLeft) {
        int byLoad = Integer.compare(load.get(m.name()), load.get(best.name()));
        if (byLoad != 0) {
            return byLoad < 0;
        }
        int byMem = Long.compare(memLeft.get(m.name()), memLeft.get(best.name()));
        if (byMem != 0) {
            return byMem > 0;
        }
        return m.name().compareTo(best.name()) < 0;
    }

    /** Why m cannot take any container of source, or null when it can. */
    static String unfit(Member source, Member m) {
        if (!Member.READY.equals(m.state())) {
            return "it is " + m.state();
        }
        if (m.address() == null) {
            return "it does not listen for peers (no --listen)";
        }
        if (m.capacity() == null || !m.capacity().criuWorks()) {
            return "CRIU does not work there";
        }
        Set<String> missing = missingCpuFeatures(source.capacity(), m.capacity());
        if (!missing.isEmpty()) {
            return "its CPU lacks " + String.join(" ", missing.stream().limit(5).toList())
                    + (missing.size() > 5 ? " and " + (missing.size() - 5) + " more" : "");
        }
        return null;
    }

    /** CPU features the source has and the target lacks. */
    static Set<String> missingCpuFeatures(Capacity source, Capacity target) {
        Set<String> missing = new LinkedHashSet<>(source == null ? List.of() : source.cpuFlags());
        missing.removeAll(target.cpuFlags());
        return missing;
    }

    private static String whyNone(Need n, List<Member> ready, List<String> refused, Map<String, Long> memLeft,
            Map<String, Long> diskLeft) {
        if (ready.isEmpty()) {
            return "no member can take it" + (refused.isEmpty() ? " (no other member)" : ": " + String.join("; ", refused));
        }
        long mem = ready.stream().mapToLong(m -> memLeft.get(m.name())).max().orElse(0);
        long disk = ready.stream().mapToLong(m -> diskLeft.get(m.name())).max().orElse(0);
        if (mem < n.memoryBytes()) {
            return "needs " + mib(n.memoryBytes()) + " of memory, the most any member has left is " + mib(mem);
        }
        if (disk < n.diskBytes()) {
            return "needs " + mib(n.diskBytes()) + " of disk, the most any member has left is " + mib(disk);
        }
        return "no member has both the memory and the disk it needs";
    }

    static String mib(long bytes) {
        return Math.max(0, bytes >> 20) + " MiB";
    }
}
