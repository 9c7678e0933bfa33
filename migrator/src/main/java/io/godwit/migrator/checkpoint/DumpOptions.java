package io.godwit.migrator.checkpoint;

import io.godwit.criu.CriuOptions;
import io.godwit.proto.criu.Rpc;
import io.godwit.runtime.CheckpointTarget;
import java.nio.file.Path;

/** The CRIU options that dump one of our containers, for a checkpoint or a move. */
public final class DumpOptions {
    private DumpOptions() {
    }

    /**
     * The container stays alive after the dump (leave_running): a checkpoint keeps it, and a move
     * that fails must be able to let it carry on. Its stdio pipes and volumes are external.
     */
    public static CriuOptions.Builder of(CheckpointTarget target, Path imagesDir, Path workDir) {
        CriuOptions.Builder opts = CriuOptions.builder().pid(target.initPid()).imagesDir(imagesDir).workDir(workDir)
                .logFile("dump.log").leaveRunning(true).fileLocks(true).tcpEstablished(true)
                .manageCgroupsMode(Rpc.criu_cg_mode.IGNORE).networkLock(Rpc.criu_network_lock_method.NFTABLES);
        target.externalPipes().forEach(opts::external);
        target.externalMounts().forEach((key, containerPath) -> opts.extMnt(containerPath, key));
        if (target.freezerPath() != null) {
            opts.freezeCgroup(target.freezerPath());
        }
        return opts;
    }
}
