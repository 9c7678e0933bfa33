package io.godwit.migrator.checkpoint;

import io.godwit.criu.CriuOptions;
import io.godwit.proto.criu.Rpc;
import io.godwit.runtime.CheckpointTarget;
import java.nio.file.Path;

/**
 * The CRIU options that dump one of our containers, for a checkpoint or a move. Each is a choice,
 * compared with runc, Podman and LXD in docs/CRIU-OPTIONS.md; an option not set here is off on
 * purpose (shell_job, ext_unix_sk, orphan_pts_master, tcp_skip_in_flight, force_irmap, ...).
 */
public final class DumpOptions {
    private DumpOptions() {
    }

    /** The usual order: the container's freezer cgroup is frozen before CRIU runs (see {@link DumpHold}). */
    public static CriuOptions.Builder of(CheckpointTarget target, Path imagesDir, Path workDir) {
        return of(target, imagesDir, workDir, true);
    }

    /**
     * @param frozenFirst whether the container's cgroup is frozen before the dump: then CRIU seizes
     *                    the frozen tasks (freeze_cgroup); else it seizes them with ptrace
     */
    public static CriuOptions.Builder of(CheckpointTarget target, Path imagesDir, Path workDir, boolean frozenFirst) {
        CriuOptions.Builder opts = CriuOptions.builder().pid(target.initPid()).imagesDir(imagesDir).workDir(workDir)
                .logFile("dump.log")
                // Godwit stops the container itself, only once the checkpoint is whole on disk, and a
                // move keeps the source until the target runs it.
                .leaveRunning(true)
                // Locks on the container's own files are its state; without this CRIU refuses to dump them.
                .fileLocks(true)
                // An open file whose name is gone: CRIU links it back under a new name, or on overlayfs
                // (where it cannot) saves its content as a ghost file. Without it such a dump fails.
                .linkRemap(true)
                // Established connections move with the container where the kernel allows it.
                .tcpEstablished(true)
                // Godwit makes and fills the cgroups itself; CRIU must neither dump nor recreate them.
                .manageCgroupsMode(Rpc.criu_cg_mode.IGNORE)
                // iptables is absent on Godwit hosts.
                .networkLock(Rpc.criu_network_lock_method.NFTABLES);
        target.externalPipes().forEach(opts::external);
        target.externalMounts().forEach((key, containerPath) -> opts.extMnt(containerPath, key));
        if (frozenFirst && target.freezerPath() != null) {
            opts.freezeCgroup(target.freezerPath());
        }
        return opts;
    }
}
