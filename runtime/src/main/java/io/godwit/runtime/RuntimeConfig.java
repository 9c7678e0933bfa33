package io.godwit.runtime;

import io.godwit.runtime.cgroup.CgroupManager;
import io.godwit.runtime.image.ImageStore;
import io.godwit.runtime.net.NetworkSetup;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import java.util.Objects;

/**
 * @param containersDir one directory per container (e.g. /var/lib/godwit/containers)
 * @param images        makes each container's rootfs
 * @param cgroups       null: no cgroups (no limits, pause, stats; CRIU without freeze_cgroup)
 * @param network       null: bridge networking is refused
 * @param monitorBinary the godwit-monitor executable (see {@link MonitorBinary#find()})
 * @param criuEnvironment what the host needs in the environment of every criu, including the
 *                      one a monitor starts for a restore (e.g. CRIU_FAULT where debug traps fail)
 * @param consoleLog    the bound on each container's console.log
 */
public record RuntimeConfig(Path containersDir, ImageStore images, CgroupManager cgroups, NetworkSetup network,
        Path monitorBinary, Supplier<Map<String, String>> criuEnvironment, ConsoleLog consoleLog) {

    public RuntimeConfig {
        Objects.requireNonNull(containersDir, "containersDir");
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(monitorBinary, "monitorBinary");
        Objects.requireNonNull(criuEnvironment, "criuEnvironment");
        consoleLog = consoleLog == null ? ConsoleLog.DEFAULT : consoleLog;
    }

    /** Asked each time a monitor starts (a restore's criu inherits it): the daemon's host probe may still run. */
    public RuntimeConfig withCriuEnvironment(Supplier<Map<String, String>> env) {
        return new RuntimeConfig(containersDir, images, cgroups, network, monitorBinary, env, consoleLog);
    }

    public RuntimeConfig withConsoleLog(ConsoleLog log) {
        return new RuntimeConfig(containersDir, images, cgroups, network, monitorBinary, criuEnvironment, log);
    }

    /**
     * Defaults: the monitor found by {@link MonitorBinary#find()}, criu started with the monitor's own
     * environment, the default console log; change them with the {@code with...} methods.
     */
    public static RuntimeConfig of(Path containersDir, ImageStore images, CgroupManager cgroups, NetworkSetup network) {
        return new RuntimeConfig(containersDir, images, cgroups, network, MonitorBinary.find(), Map::of, ConsoleLog.DEFAULT);
    }
}
