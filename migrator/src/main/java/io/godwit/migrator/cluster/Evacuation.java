package io.godwit.migrator.cluster;

import io.godwit.migrator.api.ApiException;
import io.godwit.migrator.ops.Operation;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.ContainerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.logging.Logger;

/**
 * Empties this member for maintenance: plans a target for every running container, then moves
 * them, at most N at a time, each falling back (lazy -> cold -> checkpoint and stop) only while
 * it still runs here: a move that failed with the container frozen here (its target may run it)
 * stops the chain, so no container ever runs twice; and none is lost, as every step keeps it
 * running here, moves it, or keeps its checkpoint here. Each container's origin is recorded so
 * that `cluster restore` brings it back.
 */
final class Evacuation {
    private static final Logger LOG = Logger.getLogger(Evacuation.class.getName());

    /** What happened to one container. result: moved, stopped, failed, frozen or left. */
    record Outcome(String container, String target, String result, String mode, String detail) {
    }

    private final ClusterNode node;
    private final FleetView fleet;
    private final ContainerRuntime runtime;
    private final MemberWork work;

    Evacuation(ClusterNode node, FleetView fleet, ContainerRuntime runtime, MemberWork work) {
        this.node = node;
        this.fleet = fleet;
        this.runtime = runtime;
        this.work = work;
    }

    /** The plan: a target (or none, and why) for each container running here. Changes nothing. */
    List<Placement.Assignment> plan() throws Exception {
        List<Member> members = fleet.members();
        Member self = members.stream().filter(m -> m.name().equals(node.name())).findFirst()
                .orElseGet(() -> {
                    try {
                        return node.member(0);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        Map<String, ContainerEntry> published = new LinkedHashMap<>();
        for (ContainerEntry e : fleet.containers(node.name())) {
            published.put(e.name(), e);
        }
        List<Placement.Need> needs = new ArrayList<>();
        for (ContainerState s : runtime.list()) {
            if (s.status() != ContainerState.Status.RUNNING) {
                continue;
            }
            long mem = memory(s.name(), published.get(s.name()));
            // the target receives its memory as images and its rootfs changes: memory plus a margin
            needs.add(new Placement.Need(s.name(), mem, mem + (64L << 20)));
        }
        return Placement.plan(self, needs, members);
    }

    private long memory(String name, ContainerEntry published) {
        try {
            return ContainerEntry.roundUp(runtime.stats(name).memoryBytes());
        } catch (Exception e) {
            return published == null ? 0 : published.memoryBytes();
        }
    }

    Map<String, Object> run(EvacuationMode mode, int parallel, Operation op) throws Exception {
        try (EvacuationLock lock = EvacuationLock.take(node.etcd(), node.keys(), node.name(), node.settings().lease(),
                "evacuate")) {
            fleet.setState(node.name(), Member.EVACUATING);
            op.phase("planning");
            List<Placement.Assignment> plan = plan();
            Map<String, Member> members = new LinkedHashMap<>();
            fleet.members().forEach(m -> members.put(m.name(), m));
            boolean lazyHere = members.containsKey(node.name()) && members.get(node.name()).capacity().lazyPages();
            LOG.info("evacuating " + node.name() + ": " + plan.size() + " containers, mode " + mode.label()
                    + ", " + parallel + " at a time");
            op.phase("moving");
            Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
            Semaphore slots = new Semaphore(parallel);
            List<Thread> threads = new ArrayList<>();
            for (Placement.Assignment a : plan) {
                Member target = a.target() == null ? null : members.get(a.target());
                boolean lazyBoth = lazyHere && target != null && target.capacity().lazyPages();
                List<String> steps = mode.steps(lazyBoth, a.placed());
                threads.add(Thread.ofVirtual().name("evacuate-" + a.container()).start(() -> {
                    try {
                        slots.acquire();
                        try {
                            outcomes.put(a.container(), evacuateOne(a, steps));
                        } finally {
                            slots.release();
                        }
                    } catch (InterruptedException e) {
                        outcomes.put(a.container(), new Outcome(a.container(), a.target(), "left", null,
                                "the evacuation was interrupted before it started"));
                    }
                }));
            }
            for (Thread t : threads) {
                t.join(); // each step inside is bounded (MemberWork.STEP)
            }
            List<Outcome> ordered = plan.stream().map(a -> outcomes.get(a.container())).toList();
            boolean empty = runtime.list().stream().noneMatch(ContainerState::isActive);
            String state = empty ? Member.EVACUATED : Member.EVACUATING;
            fleet.setState(node.name(), state);
            node.refresh();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("node", node.name());
            result.put("mode", mode.label());
            result.put("plan", plan);
            result.put("outcomes", ordered);
            result.put("state", state);
            long failed = ordered.stream().filter(o -> o.result().equals("failed") || o.result().equals("frozen")).count();
            if (failed > 0) {
                throw new EvacuationIncompleteException(node.name(), ordered, result);
            }
            return result;
        }
    }

    /** Tries the steps in order while the container still runs here. */
    private Outcome evacuateOne(Placement.Assignment a, List<String> steps) {
        List<String> errors = new ArrayList<>();
        Protection protection = work.protectionHere(a.container()); // read before the move: it goes with the container
        for (String step : steps) {
            String status = work.status(a.container());
            if (!status.equals("RUNNING")) {
                // Frozen: a move failed where the target may run it; only its answer may thaw it here.
                String why = status.equals("PAUSED") ? "frozen here until " + a.target() + " confirms it dropped its copy"
                        : "it is " + status.toLowerCase() + " here";
                return new Outcome(a.container(), a.target(), status.equals("PAUSED") ? "frozen" : "failed", null,
                        String.join("; ", errors) + (errors.isEmpty() ? "" : "; ") + why);
            }
            MemberWork.Result r = step.equals("stop") ? work.checkpointAndStop(a.container())
                    : work.move(a.container(), a.target(), step);
            if (r.ok()) {
                Origin o = step.equals("stop")
                        ? new Origin(a.container(), node.name(), null, Origin.STOPPED, "stop",
                                String.valueOf(r.result().get("checkpoint")), Instant.now())
                        : new Origin(a.container(), node.name(), a.target(), Origin.MOVED, step, null, Instant.now());
                recordOrigin(o);
                if (!step.equals("stop")) {
                    Optional<Peer> to = fleet.peer(a.target());
                    String notCarried = to.isPresent() ? work.carryTo(to.get(), a.container(), protection)
                            : protection.any() ? "its failover policy and schedule could not be set on " + a.target()
                                    + " (it publishes no address)" : null;
                    if (notCarried != null) {
                        LOG.warning("evacuation of " + node.name() + ": " + a.container() + ": " + notCarried);
                        errors.add(notCarried);
                    }
                }
                String detail = (a.placed() ? "" : "no target (" + a.why() + "): ")
                        + (errors.isEmpty() ? "" : "after " + String.join("; ", errors));
                return new Outcome(a.container(), o.to(), o.how(), step, detail);
            }
            errors.add(step + " failed: " + r.error());
            LOG.warning("evacuation of " + node.name() + ": " + a.container() + ": " + step + " failed: " + r.error());
        }
        String status = work.status(a.container());
        return new Outcome(a.container(), a.target(), status.equals("PAUSED") ? "frozen" : "failed", null,
                String.join("; ", errors) + "; it is " + status.toLowerCase() + " here");
    }

    /** Records where the container went; etcd out of reach now is retried (the restore needs it). */
    private void recordOrigin(Origin o) {
        for (int i = 0; i < 20; i++) {
            try {
                fleet.putOrigin(o);
                return;
            } catch (RuntimeException e) {
                LOG.warning("cannot record where " + o.name() + " went (" + e.getMessage() + "); retrying");
                try {
                    Thread.sleep(Duration.ofSeconds(3).toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        LOG.severe("could not record that " + o.name() + " went to " + o.to() + " (" + o.how() + "): "
                + "`cluster restore` will not bring it back by itself");
    }

    /** Some containers could not be evacuated: the operation fails, and its message lists them. */
    static final class EvacuationIncompleteException extends ApiException {
        private static final long serialVersionUID = 1L;

        EvacuationIncompleteException(String node, List<Outcome> outcomes, Map<String, Object> result) {
            super(500, "evacuation of " + node + " incomplete: " + String.join("; ", outcomes.stream()
                    .filter(o -> o.result().equals("failed") || o.result().equals("frozen"))
                    .map(o -> o.container() + " " + o.result() + ": " + o.detail()).toList()));
        }
    }
}
