package io.godwit.migrator.host;

import java.util.List;

/**
 * What the host probe found: the facts that decide what CRIU, and so Godwit, can do here.
 *
 * @param kernel           the running kernel's release
 * @param bootId           this boot (a reboot may change the machine under the same kernel)
 * @param criuVersion      CRIU's version ("" when criu does not answer)
 * @param breakpoints      "delivered", "not-delivered", "forced-on", "forced-off", "unknown"
 * @param breakpointDetail what the probe saw (timings, or the stall)
 * @param criuWorks        a checkpoint and restore of a helper process worked
 * @param criuProblem      why not, when it did not
 * @param lazyPages        userfaultfd: post-copy (lazy) moves
 * @param memTrack         soft-dirty tracking: pre-copy moves and incremental dumps
 * @param pidfdStore       CRIU's pidfd_store
 * @param networkLock      how CRIU locks the network during a dump ("nftables", "iptables", "none")
 * @param tcpEstablished   established TCP connections can be dumped
 * @param tcpProblem       why not
 * @param pipeMaxSize      fs.pipe-max-size in bytes (CRIU's page server needs about 4 MiB)
 * @param cgroupVersion    "v1", "v1+unified" (hybrid) or "v2"
 * @param cgroupControllers the controllers containers can get
 * @param probeMillis      how long the probe took when it ran (not when it came from the cache)
 * @param probedAt         when it ran (ISO-8601)
 */
public record HostFacts(String kernel, String bootId, String criuVersion, String breakpoints, String breakpointDetail,
                        boolean criuWorks, String criuProblem, boolean lazyPages, boolean memTrack, boolean pidfdStore,
                        String networkLock, boolean tcpEstablished, String tcpProblem, long pipeMaxSize,
                        String cgroupVersion, List<String> cgroupControllers, long probeMillis, String probedAt) {

    public static final long PAGE_SERVER_PIPE_MIN = 4L << 20;

    /** The same facts with another breakpoint verdict and why. */
    public HostFacts withBreakpoints(String verdict, String detail) {
        return new HostFacts(kernel, bootId, criuVersion, verdict, detail, criuWorks, criuProblem, lazyPages, memTrack,
                pidfdStore, networkLock, tcpEstablished, tcpProblem, pipeMaxSize, cgroupVersion, cgroupControllers,
                probeMillis, probedAt);
    }

    /** Whether criu must be started without hardware breakpoints. */
    public boolean breakpointsOff() {
        return breakpoints.equals("not-delivered") || breakpoints.equals("forced-off");
    }

    /** Whether these facts still describe this host: same kernel, CRIU and boot. */
    boolean sameHost(String kernel, String criuVersion, String bootId) {
        return this.kernel.equals(kernel) && this.criuVersion.equals(criuVersion) && this.bootId.equals(bootId);
    }
}
