package io.godwit.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the native monitor. In order: system property {@code godwit.monitor}, environment variable
 * {@code GODWIT_MONITOR}, {@code godwit-monitor} or {@code native/godwit-monitor} next to the runtime jar
 * (a packaged install puts it there, e.g. /usr/lib/godwit/godwit-monitor beside the jars, or the daemon passes
 * the path explicitly in RuntimeConfig), then {@code runtime/target/native/godwit-monitor} (development tree).
 */
public final class MonitorBinary {
    public static final String PROPERTY = "godwit.monitor";

    private MonitorBinary() {
    }

    public static Path find() {
        List<Path> tried = new ArrayList<>();
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return check(Path.of(prop));
        }
        String env = System.getenv("GODWIT_MONITOR");
        if (env != null && !env.isBlank()) {
            return check(Path.of(env));
        }
        try {
            Path jar = Path.of(MonitorBinary.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = Files.isDirectory(jar) ? jar.getParent() : jar.getParent(); // target/classes -> target
            tried.add(dir.resolve("godwit-monitor"));
            tried.add(dir.resolve("native/godwit-monitor"));
        } catch (Exception e) {
            // no code source (unusual class loader): fall through to the development paths
        }
        tried.add(Path.of("runtime/target/native/godwit-monitor").toAbsolutePath());
        tried.add(Path.of("target/native/godwit-monitor").toAbsolutePath());
        for (Path p : tried) {
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException("godwit-monitor not found; set -D" + PROPERTY + "=PATH (tried " + tried + ")");
    }

    private static Path check(Path p) {
        if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
            throw new IllegalStateException("godwit-monitor at " + p + " is missing or not executable");
        }
        return p;
    }
}
