package io.godwit.migrator.cluster;

import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.files.AtomicWrite;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.ContainerState;
import io.godwit.runtime.NoSuchContainerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Self-fencing: a member that has had no lease renewal acknowledged for T1 freezes its failover
 * containers (cgroup freezer; one that is not frozen within F is killed), because from T2 after its
 * key went the leader may restore them elsewhere. When renewals are acknowledged again it settles
 * each fenced container by what the directory says: restored elsewhere (P/failover/NODE/NAME) -> its
 * own copy is deleted (its checkpoints stay); not -> thawed. The fenced names are kept on disk, so a
 * daemon restarted meanwhile settles them too. The watchdog reads only this daemon's own clock.
 *
 * <p>The watchdog dies with the daemon, so each round also hands every failover container's monitor
 * (which outlives the daemon) the deadline lastAck + T1 (ContainerRuntime.armFence): a monitor whose
 * deadline passes freezes (or kills) its container itself and marks it fenced; the settling here
 * covers those too, also in a daemon started again after a crash.
 */
final class Fence {
    private static final Logger LOG = Logger.getLogger(Fence.class.getName());

    private final String node;
    private final ContainerRuntime runtime;
    private final Catalog catalog;
    private final FailoverTiming timing;
    private final Path file;
    private final Set<String> fenced = new TreeSet<>();
    /** Fenced containers whose restore elsewhere is under way: said once in the log, not at every renewal. */
    private final Set<String> waitingFor = new TreeSet<>();
    /** System.nanoTime when the last renewal that etcd acknowledged was sent (the daemon's start at first). */
    private volatile long lastAck = System.nanoTime();
    private Thread watchdog;

    Fence(String node, ContainerRuntime runtime, Catalog catalog, FailoverTiming timing, Path file) throws IOException {
        this.node = node;
        this.runtime = runtime;
        this.catalog = catalog;
        this.timing = timing;
        this.file = file;
        if (Files.exists(file)) {
            for (String l : Files.readAllLines(file)) {
                if (!l.isBlank()) {
                    fenced.add(l.strip());
                }
            }
        }
    }

    /** A renewal (or a new lease) sent at sentAt was acknowledged. */
    void renewed(long sentAtNanos) {
        if (sentAtNanos - lastAck > 0) {
            lastAck = sentAtNanos;
        }
    }

    /** What this daemon fenced, and what the monitors fenced on their own (the daemon was gone, say). */
    synchronized Set<String> fenced() {
        Set<String> all = new TreeSet<>(fenced);
        all.addAll(fencedByMonitors());
        return Set.copyOf(all);
    }

    private Set<String> fencedByMonitors() {
        Set<String> names = new TreeSet<>();
        try {
            for (ContainerState s : runtime.list()) {
                if (runtime.fencedByMonitor(s.name()).isPresent()) {
                    names.add(s.name());
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "fence: cannot read what the monitors fenced", e);
        }
        return names;
    }

    /**
     * After a round in which the member key was written under the live lease: pushes back the
     * monitors' deadlines (the fence that holds when this daemon is gone), then settles what is fenced.
     * Arming first: a monitor that fenced stops re-freezing once it has a new deadline (it never thaws
     * by itself), so the thaw of the settling is not undone.
     */
    synchronized void registered(Supplier<Map<String, FailoverRecord>> wentElsewhere) throws Exception {
        if (timing.mustFence(lastAck, System.nanoTime())) {
            return; // the round was too slow: what the monitors fenced stays fenced
        }
        armMonitors();
        settle(wentElsewhere);
    }

    /**
     * Every running or paused failover container's monitor gets the deadline lastAck + T1: past it,
     * with no newer one, it freezes the container as this daemon's watchdog would (docs/CLUSTER.md,
     * "Timing"). Paused ones too: a scheduled checkpoint pauses the container, and the daemon may die
     * before it thaws it (a monitor that fences a container paused by hand changes nothing; the
     * settling then only removes the mark). A container no longer a failover one is disarmed.
     */
    private void armMonitors() throws Exception {
        Map<String, String> policies = catalog.failoverPolicies();
        long deadline = lastAck + timing.fence().toNanos();
        for (ContainerState s : runtime.list()) {
            String name = s.name();
            boolean active = s.status() == ContainerState.Status.RUNNING || s.status() == ContainerState.Status.PAUSED;
            try {
                if (FailoverPolicy.RESTORE.equals(policies.get(name)) && active) {
                    runtime.armFence(name, deadline, timing.fence(), timing.freeze());
                } else if (runtime.fenceArmed(name)) {
                    runtime.disarmFence(name);
                }
            } catch (NoSuchContainerException e) {
                // deleted meanwhile
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "fence: cannot arm the monitor of " + name + " (this daemon's watchdog still fences it)", e);
            }
        }
    }

    void start() {
        watchdog = Thread.ofVirtual().name("cluster-fence").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    if (timing.mustFence(lastAck, System.nanoTime())) {
                        fenceAll();
                    }
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    LOG.log(Level.WARNING, "fence: check failed", e);
                }
            }
        });
    }

    /** Freezes every running failover container not frozen yet (also ones started while fenced). */
    synchronized void fenceAll() throws Exception {
        Map<String, String> policies = catalog.failoverPolicies();
        for (ContainerState s : runtime.list()) {
            if (!FailoverPolicy.RESTORE.equals(policies.get(s.name())) || s.status() != ContainerState.Status.RUNNING) {
                continue;
            }
            if (!fenced.contains(s.name())) {
                LOG.warning("fence: no lease renewal acknowledged for " + timing.fence().toMillis() + " ms: freezing "
                        + s.name() + " (the fleet may restore it elsewhere " + timing.restoresNotBefore().toSeconds()
                        + " s after the last renewal)");
            }
            fenced.add(s.name());
            save();
            freezeOrKill(s.name());
        }
    }

    private void freezeOrKill(String name) {
        Thread t = Thread.ofVirtual().name("fence-" + name).start(() -> {
            try {
                runtime.pause(name);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "fence: cannot freeze " + name, e);
            }
        });
        boolean frozen = false;
        try {
            frozen = t.join(timing.freeze()) && status(name) == ContainerState.Status.PAUSED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!frozen && status(name) == ContainerState.Status.RUNNING) {
            LOG.severe("fence: " + name + " is not frozen within " + timing.freeze().toMillis() + " ms: killing it, so"
                    + " that it can never run beside its restored copy");
            try {
                runtime.kill(name, 9);
            } catch (Exception e) {
                LOG.log(Level.SEVERE, "fence: cannot kill " + name, e);
            }
        }
    }

    private ContainerState.Status status(String name) {
        try {
            return runtime.state(name).status();
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * Renewals work again (and the member key is written under the live lease, so no leader can
     * claim a container of ours from now on): settles what is fenced. wentElsewhere reads
     * P/failover/NODE/ (it may throw when etcd is gone again: all stays fenced until the next try).
     */
    synchronized void settle(Supplier<Map<String, FailoverRecord>> wentElsewhere) throws Exception {
        Set<String> candidates = new TreeSet<>(fenced);
        candidates.addAll(fencedByMonitors());
        if (candidates.isEmpty() || timing.mustFence(lastAck, System.nanoTime())) {
            return;
        }
        Map<String, FailoverRecord> gone = wentElsewhere.get();
        for (String name : candidates) {
            FailoverRecord f = gone.get(name);
            try {
                Settlement what = Settlement.of(f, node);
                if (what == Settlement.WAIT) {
                    if (waitingFor.add(name)) {
                        LOG.warning("fence: renewals work again, but " + name + " is being restored on " + f.to()
                                + " (attempt " + Math.max(1, f.attempts()) + "): it stays fenced here until that"
                                + " restore succeeds (then this copy goes) or fails (then it carries on here)");
                    }
                    continue;
                }
                waitingFor.remove(name);
                if (what == Settlement.DROP) {
                    dropCopy(name, f);
                } else {
                    if (f != null && !node.equals(f.to())) {
                        // no copy runs elsewhere, and none can start now that the member key is back
                        LOG.warning("fence: the failover of " + name + " to " + f.to() + " failed (" + f.error()
                                + "): it carries on here");
                    }
                    thaw(name);
                }
                fenced.remove(name);
            } catch (NoSuchContainerException e) {
                fenced.remove(name);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "fence: cannot settle " + name + "; retried at the next renewal", e);
            }
        }
        save();
    }

    private void dropCopy(String name, FailoverRecord f) throws Exception {
        LOG.warning("fence: " + name + " was restored on " + f.to() + " from " + f.checkpoint() + " while this member"
                + " was cut off: deleting the copy here (its checkpoints stay)");
        try {
            runtime.kill(name, 9);
        } catch (Exception e) {
            LOG.log(Level.FINE, name + " already stopped", e);
        }
        try {
            runtime.unfence(name); // frozen by its monitor: a frozen task takes its SIGKILL only once thawed
        } catch (Exception e) {
            LOG.log(Level.FINE, name + " was not fenced by its monitor", e);
        }
        try {
            runtime.resume(name); // frozen by this daemon's watchdog
        } catch (Exception e) {
            LOG.log(Level.FINE, name + " was not frozen", e);
        }
        runtime.delete(name, true);
        catalog.deleteSchedule(name);
        catalog.deleteFailoverPolicy(name);
    }

    private void thaw(String name) throws Exception {
        if (fenced.contains(name) && runtime.state(name).status() == ContainerState.Status.PAUSED) {
            runtime.resume(name);
            LOG.warning("fence: renewals work again and " + name + " was not failed over: thawed");
        }
        var byMonitor = runtime.fencedByMonitor(name);
        if (byMonitor.isPresent()) {
            runtime.unfence(name);
            LOG.warning("fence: renewals work again and " + name + " was not failed over: its monitor had "
                    + byMonitor.get() + " it" + ("killed".equals(byMonitor.get()) ? " (it stays stopped)" : "; thawed"));
        }
    }

    private void save() {
        try {
            AtomicWrite.write(file, (String.join("\n", fenced) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.log(Level.WARNING, "fence: cannot write " + file, e);
        }
    }

    void close() {
        if (watchdog != null) {
            watchdog.interrupt();
        }
    }
}
