package io.godwit.migrator.cluster;

import io.godwit.migrator.host.HostFacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reads what this host can take now: /proc/meminfo, /proc/cpuinfo, the disk under the root, and what
 * the host probe found of CRIU (while it runs: nothing known, so the fleet places nothing here yet).
 */
final class HostCapacity {
    private final Path root;
    private final Supplier<Optional<HostFacts>> facts;
    private final String cpuModel;
    private final List<String> cpuFlags;

    HostCapacity(Path root, Supplier<Optional<HostFacts>> facts) throws IOException {
        this.root = root;
        this.facts = facts;
        List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
        this.cpuModel = field(lines, "model name");
        this.cpuFlags = Arrays.stream(field(lines, "flags").split("\\s+")).filter(s -> !s.isEmpty()).sorted().toList();
    }

    /** Whether the host probe has ended with facts (until then the capacity says CRIU is not known to work). */
    boolean probed() {
        return facts.get().isPresent();
    }

    Capacity now() throws IOException {
        List<String> mem = Files.readAllLines(Path.of("/proc/meminfo"));
        Optional<HostFacts> f = facts.get();
        return new Capacity(kib(mem, "MemTotal"), kib(mem, "MemAvailable"), Files.getFileStore(root).getUsableSpace(),
                cpuModel, cpuFlags, Runtime.getRuntime().availableProcessors(),
                f.map(HostFacts::criuVersion).orElse(null), f.map(HostFacts::criuWorks).orElse(false),
                f.map(HostFacts::lazyPages).orElse(false), f.map(HostFacts::breakpoints).orElse("probing"));
    }

    private static String field(List<String> lines, String name) {
        for (String l : lines) {
            int colon = l.indexOf(':');
            if (colon > 0 && l.substring(0, colon).strip().equals(name)) {
                return l.substring(colon + 1).strip();
            }
        }
        return "";
    }

    private static long kib(List<String> lines, String name) {
        String v = field(lines, name).replace("kB", "").strip();
        return v.isEmpty() ? 0 : Long.parseLong(v) * 1024;
    }
}
