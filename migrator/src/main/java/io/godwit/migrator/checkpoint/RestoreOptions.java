package io.godwit.migrator.checkpoint;

import io.godwit.criu.CriuOptions;
import io.godwit.proto.criu.Rpc;
import io.godwit.runtime.RestoreLaunch;
import java.nio.file.Path;
import java.util.Map;

/**
 * The CRIU options that restore one of our containers through its monitor, the counterpart of
 * {@link DumpOptions} (docs/CRIU-OPTIONS.md has the reasons and the comparison).
 */
public final class RestoreOptions {
    private RestoreOptions() {
    }

    /**
     * @param stdioPipes "stdout"/"stderr" to the pipe inode CRIU saw at dump time
     * @param lazy       whether the memory comes later from a lazy-pages daemon
     */
    public static CriuOptions.Builder of(RestoreLaunch launch, Path imagesDir, Path workDir,
            Map<String, String> stdioPipes, boolean lazy) {
        CriuOptions.Builder opts = CriuOptions.builder().imagesDir(imagesDir).workDir(workDir)
                .logFile("restore.log").root(launch.rootfs())
                // The restored init becomes the monitor's child, exactly like a started one.
                .rstSibling(true)
                // Must match the dump: CRIU refuses images with locks or connections otherwise.
                .fileLocks(true)
                .tcpEstablished(true)
                // The monitor has put itself into the container's cgroups; CRIU leaves them alone.
                .manageCgroupsMode(Rpc.criu_cg_mode.IGNORE)
                .networkLock(Rpc.criu_network_lock_method.NFTABLES)
                .lazyPages(lazy);
        for (Map.Entry<String, String> pipe : stdioPipes.entrySet()) {
            Integer fd = launch.inheritFds().get(pipe.getKey());
            if (fd != null) {
                opts.inheritCriuFd(pipe.getValue(), fd);
            }
        }
        launch.volumeHostPaths().forEach(opts::extMnt);
        launch.veths().forEach(opts::veth);
        return opts;
    }
}
