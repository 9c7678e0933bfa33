package io.godwit.runtime;

import java.nio.file.Path;
import java.util.Map;

/**
 * A monitor running `criu swrk 3` on the daemon's socket, waiting for the RESTORE request.
 *
 * @param monitorPid      the monitor; the restored init becomes its child (rst_sibling = true)
 * @param criuPid         the criu swrk process (a child of the monitor, reaped by it)
 * @param inheritFds      "stdout" / "stderr" to the fd number inside criu (4 and 5): send
 *                        inherit_fd {key: OLD_PIPE, fd: N} for each
 * @param rootfs          CRIU's root option
 * @param volumeHostPaths ext_mnt {key: KEY, val: HOST_PATH} for each
 * @param cgroupPaths     controller to the container's cgroup path (cg_root), empty without cgroups
 * @param freezerPath     the new container's freezer cgroup directory, or null
 * @param veths           veth pairs for CRIU to recreate (veth_pair {if_in: in-container name,
 *                        if_out: host-side name}) so that the host end lands in our namespace,
 *                        where adoptRestored joins it to its bridge; empty without bridge networking
 */
public record RestoreLaunch(int monitorPid, int criuPid, Map<String, Integer> inheritFds, Path rootfs,
        Map<String, String> volumeHostPaths, Map<String, String> cgroupPaths, String freezerPath,
        Map<String, String> veths) {
}
