package io.godwit.migrator.cluster;

import io.godwit.migrator.api.ApiException;
import io.godwit.migrator.ops.Operation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.logging.Logger;

/**
 * Brings back to this member what an evacuation took away (`cluster restore NODE`): each moved
 * container is moved back by the member that runs it now (found in the directory; the origin names
 * where it went first), each stopped one is restored here from the checkpoint taken then. The node
 * takes placements again at once; an origin is forgotten only once its container runs here again.
 */
final class Restoration {
    private static final Logger LOG = Logger.getLogger(Restoration.class.getName());

    /** What happened to one container: back, failed or missing. */
    record Outcome(String container, String from, String result, String detail) {
    }

    private final ClusterNode node;
    private final FleetView fleet;
    private final MemberWork work;

    Restoration(ClusterNode node, FleetView fleet, MemberWork work) {
        this.node = node;
        this.fleet = fleet;
        this.work = work;
    }

    Map<String, Object> run(int parallel, Operation op) throws Exception {
        try (EvacuationLock lock = EvacuationLock.take(node.etcd(), node.keys(), node.name(), node.settings().lease(),
                "restore")) {
            fleet.setState(node.name(), Member.READY);
            List<Origin> origins = fleet.origins(node.name());
            List<ContainerEntry> directory = fleet.containers(null);
            op.phase("restoring");
            Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
            Semaphore slots = new Semaphore(parallel);
            List<Thread> threads = new ArrayList<>();
            for (Origin o : origins) {
                threads.add(Thread.ofVirtual().name("restore-" + o.name()).start(() -> {
                    try {
                        slots.acquire();
                        try {
                            outcomes.put(o.name(), restoreOne(o, directory));
                        } finally {
                            slots.release();
                        }
                    } catch (InterruptedException e) {
                        outcomes.put(o.name(), new Outcome(o.name(), o.to(), "failed", "interrupted"));
                    }
                }));
            }
            for (Thread t : threads) {
                t.join(); // each step inside is bounded (MemberWork.STEP)
            }
            node.refresh();
            List<Outcome> ordered = origins.stream().map(o -> outcomes.get(o.name())).toList();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("node", node.name());
            result.put("outcomes", ordered);
            List<Outcome> bad = ordered.stream().filter(o -> !o.result().equals("back")).toList();
            if (!bad.isEmpty()) {
                throw new ApiException(500, "restore of " + node.name() + " incomplete: " + String.join("; ",
                        bad.stream().map(o -> o.container() + " " + o.result() + ": " + o.detail()).toList()));
            }
            return result;
        }
    }

    private Outcome restoreOne(Origin o, List<ContainerEntry> directory) {
        if (Origin.STOPPED.equals(o.how())) {
            if (work.status(o.name()).equals("RUNNING")) {
                fleet.deleteOrigin(node.name(), o.name());
                return new Outcome(o.name(), node.name(), "back", "it was running here already");
            }
            MemberWork.Result r = work.restoreLatest(o.name());
            if (!r.ok()) {
                return new Outcome(o.name(), node.name(), "failed", r.error());
            }
            fleet.deleteOrigin(node.name(), o.name());
            return new Outcome(o.name(), node.name(), "back", "restored here from checkpoint " + r.result().get("checkpoint"));
        }
        // Where it runs now: the directory, which the member running it keeps current.
        Optional<ContainerEntry> now = directory.stream()
                .filter(e -> e.name().equals(o.name()) && !e.node().equals(node.name())).findFirst();
        if (now.isEmpty()) {
            if (work.status(o.name()).equals("RUNNING")) {
                fleet.deleteOrigin(node.name(), o.name());
                return new Outcome(o.name(), node.name(), "back", "it was running here already");
            }
            return new Outcome(o.name(), o.to(), "missing", "no member publishes a container " + o.name()
                    + " (it went to " + o.to() + ")");
        }
        String from = now.get().node();
        Optional<Peer> peer = fleet.peer(from);
        if (peer.isEmpty()) {
            return new Outcome(o.name(), from, "failed", "member " + from + " publishes no address");
        }
        // auto: the member running it now picks lazy where both hosts can, else cold; a failed move
        // that left it running there is tried once more, cold (as an evacuation falls back)
        Protection protection = work.protectionOn(peer.get(), o.name()); // read before the move: it comes with it
        MemberWork.Result r = work.moveOn(peer.get(), o.name(), node.name(), "auto");
        if (!r.ok() && work.statusOn(peer.get(), o.name()).equals("RUNNING")) {
            LOG.warning("restore of " + node.name() + ": " + o.name() + ": the move back failed (" + r.error()
                    + "); it still runs on " + from + ": trying a cold move");
            MemberWork.Result cold = work.moveOn(peer.get(), o.name(), node.name(), "cold");
            r = cold.ok() ? cold : MemberWork.Result.failed(r.error() + "; then cold: " + cold.error());
        }
        if (!r.ok()) {
            LOG.warning("restore of " + node.name() + ": " + o.name() + " stays on " + from + ": " + r.error());
            return new Outcome(o.name(), from, "failed", r.error());
        }
        fleet.deleteOrigin(node.name(), o.name());
        String notCarried = work.carryHere(o.name(), protection);
        if (notCarried != null) {
            LOG.warning("restore of " + node.name() + ": " + o.name() + ": " + notCarried);
        }
        return new Outcome(o.name(), from, "back", "moved back from " + from + (notCarried == null ? "" : "; " + notCarried));
    }
}
