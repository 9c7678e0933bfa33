package io.godwit.migrator.host;

import io.godwit.criu.CriuLaunch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The host probe, run once in the background while the daemon already serves: the API answers
 * at once, and the first thing that starts a criu waits for the verdict (at most
 * {@link #WAIT}). A probe that fails or does not end in time leaves breakpoints off, which is
 * correct on every host, only a little slower.
 */
public final class ProbedHost {
    static final Duration WAIT = Duration.ofMinutes(2);
    private static final Logger LOG = Logger.getLogger(ProbedHost.class.getName());

    private final CompletableFuture<HostFacts> facts = new CompletableFuture<>();
    private final BreakpointMode mode;
    private final Duration stall;
    private volatile CriuLaunch fallback;
    private final Path root;
    /** Set when a call with breakpoints stalled although the probe found them delivered: they are off from then on. */
    private volatile HostFacts demoted;

    private ProbedHost(BreakpointMode mode, Duration stall, Path root) {
        this.mode = mode;
        this.stall = stall;
        this.root = root;
    }

    /** Starts probing {@code criu} on a thread of its own; {@code stall} is every CRIU call's stall bound. */
    public static ProbedHost start(Path criu, Path root, BreakpointMode mode, Duration stall) {
        ProbedHost h = new ProbedHost(mode, stall, root);
        Thread.ofPlatform().daemon().name("host-probe").start(() -> {
            long t0 = System.nanoTime();
            try {
                HostFacts f = new HostProbe(criu, root, mode).facts();
                log(f, (System.nanoTime() - t0) / 1_000_000);
                h.facts.complete(f);
            } catch (Throwable e) {
                LOG.log(Level.SEVERE, "the host probe failed; CRIU runs without hardware breakpoints", e);
                h.facts.completeExceptionally(e);
            }
        });
        return h;
    }

    private static void log(HostFacts host, long ms) {
        LOG.info("host: CRIU " + (host.criuVersion().isEmpty() ? "missing" : host.criuVersion()) + ", kernel "
                + host.kernel() + ", breakpoints " + host.breakpoints() + ", lazy pages " + host.lazyPages()
                + ", dirty tracking " + host.memTrack() + ", TCP dumps " + host.tcpEstablished() + " (" + ms + " ms)");
        if (host.breakpoints().equals("not-delivered")) {
            LOG.warning("this host does not deliver hardware debug traps (" + host.breakpointDetail()
                    + "): every criu runs with CRIU_FAULT=130 (see `godwit doctor`)");
        }
        if (!host.criuWorks()) {
            LOG.severe("CRIU cannot checkpoint on this host: " + host.criuProblem() + " (see `godwit doctor`)");
        }
    }

    /**
     * Waits (at most bound) for the probe to end: a daemon that gives up at start must not leave the
     * probe's criu running with nobody to reap it.
     */
    public void awaitDone(Duration bound) {
        try {
            facts.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // failed or still running: nothing more to wait for here
        }
    }

    /** How to start criu here; waits for the probe unless a setting forces the breakpoints. */
    public CriuLaunch launch() {
        CriuLaunch base = CriuLaunch.defaults().withStallTimeout(stall);
        switch (mode) {
            case ON: return base.withHardwareBreakpoints(true);
            case OFF: return base.withHardwareBreakpoints(false);
            default: break;
        }
        if (demoted != null) {
            return base.withHardwareBreakpoints(false);
        }
        try {
            return base.withHardwareBreakpoints(!facts.get(WAIT.toSeconds(), TimeUnit.SECONDS).breakpointsOff());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return base.withHardwareBreakpoints(false);
        } catch (ExecutionException | TimeoutException e) {
            if (fallback == null) {
                LOG.warning("no verdict from the host probe (" + e + "): CRIU runs without hardware breakpoints");
                fallback = base.withHardwareBreakpoints(false);
            }
            return fallback;
        }
    }

    /** What every criu started by another process (the monitor, lazy-pages) needs in its environment. */
    public Map<String, String> criuEnvironment() {
        return launch().extraEnvironment();
    }

    /** The report, or null while the probe still runs (or when it failed). */
    public HostReport reportNow() {
        return factsNow().map(HostReport::of).orElse(null);
    }

    /**
     * A CRIU call with hardware breakpoints stalled. Where the probe chose them (AUTO), that verdict
     * was wrong, or this host delivers traps only sometimes: every later criu runs without them
     * (PTRACE_SYSCALL, safe everywhere), and the cached verdict says so, so the next start does not
     * repeat it. A setting that forces breakpoints on is left alone: the operator asked for it.
     */
    public void breakpointsStalled(String request, String lastLine) {
        if (mode != BreakpointMode.AUTO || demoted != null) {
            return;
        }
        HostFacts f = factsNow().orElse(null);
        if (f == null || f.breakpointsOff()) {
            return;
        }
        String why = "a " + request + " with breakpoints stalled at '" + lastLine + "' after the probe had found"
                + " them delivered (" + f.breakpointDetail() + "): CRIU runs without them from now on";
        demoted = f.withBreakpoints("not-delivered", why);
        LOG.warning("host: " + why);
        try {
            HostProbe.writeCache(root, demoted);
        } catch (java.io.IOException io) {
            LOG.warning("host: cannot update " + root.resolve(HostProbe.CACHE) + ": " + io.getMessage());
        }
    }

    /**
     * The facts once the probe ended with them; empty while it runs, and when it failed (the log says
     * why). Never made up: a fleet must not read "CRIU works" or "it does not" from a probe that has
     * not said so.
     */
    public java.util.Optional<HostFacts> factsNow() {
        HostFacts d = demoted;
        if (d != null) {
            return java.util.Optional.of(d);
        }
        return facts.isDone() && !facts.isCompletedExceptionally()
                ? java.util.Optional.of(facts.join()) : java.util.Optional.empty();
    }

    /** Whether the probe has ended (with facts or with a failure). */
    public boolean done() {
        return facts.isDone();
    }
}
