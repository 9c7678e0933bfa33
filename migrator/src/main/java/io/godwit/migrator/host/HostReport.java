package io.godwit.migrator.host;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the host facts mean for a user: can this host checkpoint at all, which move modes work
 * here and why not the others, and one line per fact. Served under "host" in GET /1.0 and
 * printed by `godwit doctor`.
 */
public record HostReport(HostFacts facts, boolean canCheckpoint, Map<String, Verdict> moveModes, List<Finding> findings) {

    /** Whether something works, and why (not). */
    public record Verdict(boolean works, String why) {}

    /** One fact in words: its value, what it means, and whether it is fine as it is. */
    public record Finding(String fact, String value, boolean ok, String meaning) {}

    public static HostReport of(HostFacts f) {
        List<Finding> out = new ArrayList<>();
        out.add(new Finding("criu", f.criuVersion().isEmpty() ? "missing" : f.criuVersion(), f.criuWorks(),
                f.criuWorks() ? "CRIU checkpoints and restores a process here" : f.criuProblem()));
        out.add(new Finding("kernel", f.kernel(), true, "the running kernel"));
        out.add(new Finding("hardware breakpoints", f.breakpoints(), true, switch (f.breakpoints()) {
            case "delivered" -> "debug traps arrive: CRIU uses them (its fastest way to stop tasks)";
            case "not-delivered" -> "this host never delivers debug traps (" + f.breakpointDetail()
                    + "): every criu runs with CRIU_FAULT=130 and stops tasks with PTRACE_SYSCALL instead, which is"
                    + " a little slower and correct";
            case "forced-on" -> "criuBreakpoints=on: CRIU uses debug traps; on a host that does not deliver them every"
                    + " checkpoint stalls until the stall bound stops it";
            case "forced-off" -> "criuBreakpoints=off: every criu runs with CRIU_FAULT=130";
            default -> "not known: " + f.breakpointDetail();
        }));
        out.add(new Finding("userfaultfd", yes(f.lazyPages()), f.lazyPages(), f.lazyPages()
                ? "lazy (post-copy) moves: the container runs on the target at once, its memory follows"
                : "no lazy moves: moves are cold (downtime grows with memory)"));
        out.add(new Finding("soft-dirty tracking", yes(f.memTrack()), true, f.memTrack()
                ? "pre-copy moves and incremental dumps are possible"
                : "no pre-copy moves (CRIU cannot see which pages changed); lazy and cold moves still work"));
        boolean lockOk = !f.networkLock().equals("none");
        out.add(new Finding("network lock", f.networkLock(), lockOk, lockOk
                ? "CRIU locks a container's network with " + f.networkLock() + " while it dumps"
                : "CRIU has neither nftables nor iptables to lock the network: containers with network connections"
                        + " may lose packets during a dump"));
        out.add(new Finding("established TCP", yes(f.tcpEstablished()), true, f.tcpEstablished()
                ? "containers with open TCP connections can be checkpointed and moved"
                : "containers holding an open TCP connection cannot be checkpointed here: " + f.tcpProblem()));
        boolean pipeOk = f.pipeMaxSize() >= HostFacts.PAGE_SERVER_PIPE_MIN;
        out.add(new Finding("fs.pipe-max-size", Long.toString(f.pipeMaxSize()), pipeOk, pipeOk
                ? "large enough for CRIU's page server"
                : "below 4 MiB: CRIU's page server fails (lazy moves); raise it: sysctl -w fs.pipe-max-size=16777216"));
        out.add(new Finding("cgroups", f.cgroupVersion() + " " + String.join(",", f.cgroupControllers()), true,
                "containers get limits, stats and a freezer from these controllers"));

        Map<String, Verdict> modes = new LinkedHashMap<>();
        Verdict cold = f.criuWorks() ? new Verdict(true, "freeze, dump, send, restore")
                : new Verdict(false, "CRIU does not work here");
        modes.put("cold", cold);
        if (!f.criuWorks()) {
            modes.put("lazy", cold);
        } else if (!f.lazyPages()) {
            modes.put("lazy", new Verdict(false, "the kernel has no userfaultfd for CRIU"));
        } else if (!pipeOk) {
            modes.put("lazy", new Verdict(false, "fs.pipe-max-size is below 4 MiB"));
        } else {
            modes.put("lazy", new Verdict(true, "restore at once on the target, memory follows (the target needs it too)"));
        }
        modes.put("precopy", f.criuWorks() && f.memTrack()
                ? new Verdict(false, "not implemented by this version of Godwit")
                : new Verdict(false, "the kernel has no soft-dirty memory tracking"));
        modes.put("auto", new Verdict(f.criuWorks(), modes.get("lazy").works() ? "lazy where both hosts can, else cold"
                : f.criuWorks() ? "cold (lazy does not work here)" : "CRIU does not work here"));
        return new HostReport(f, f.criuWorks(), modes, out);
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }
}
