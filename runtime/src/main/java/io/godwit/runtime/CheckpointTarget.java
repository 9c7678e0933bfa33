package io.godwit.runtime;

import io.godwit.runtime.net.BridgeAttachment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything CRIU needs to dump one running container.
 *
 * @param initPid         CRIU's pid option (the container's init, seen from the host)
 * @param rootfs          the directory the init pivoted into (CRIU's root on restore)
 * @param externalMounts  key (e.g. "vol0") to path inside the container: ext_mnt {key: path, val: key} on dump
 * @param volumeHostPaths key to host path: ext_mnt {key: key, val: hostPath} on restore
 * @param externalPipes   the init's stdout and stderr pipes, in that order, as "pipe:[INODE]": CRIU's external
 *                        on dump, inherit_fd keys on restore
 * @param stdioPipes      the same pipes by role: "stdout" and "stderr" to "pipe:[INODE]"
 * @param freezerPath     the freezer cgroup directory (CRIU's freeze_cgroup), or null without cgroups
 * @param cgroupPaths     controller to cgroup path (cg_root), empty without cgroups
 * @param bridge          the veth pair if the container is on a bridge, else null
 */
public record CheckpointTarget(int initPid, Path rootfs, Map<String, String> externalMounts,
        Map<String, String> volumeHostPaths, List<String> externalPipes, Map<String, String> stdioPipes,
        String freezerPath, Map<String, String> cgroupPaths, BridgeAttachment bridge, ContainerSpec spec) {
}
