package io.godwit.migrator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.api.HttpApiHandler;
import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.checkpoint.CheckpointService;
import io.godwit.migrator.cli.DaemonClient;
import io.godwit.migrator.move.MoveService;
import io.godwit.migrator.ops.Operation;
import io.godwit.migrator.ops.OperationManager;
import io.godwit.migrator.peer.PeerLink;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.NoSuchContainerException;
import io.godwit.transfer.TlsContexts;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The steps an evacuation or restore is made of, each waited for (bounded) and answered with what
 * became of it: moves started here through the daemon's MoveService, checkpoints and restores
 * here, and moves started on another member through its API (mutual TLS, the members' own
 * certificates, which they trust through the fleet).
 */
class MemberWork {
    private static final Logger LOG = Logger.getLogger(MemberWork.class.getName());
    /** How long one step may take before the evacuation reports it as still running and goes on. */
    static final Duration STEP = Duration.ofMinutes(Long.getLong("godwit.cluster.stepMinutes", 30));

    /** What a step came to: ok, or the error (which names the container and the step). */
    record Result(boolean ok, String error, Map<String, Object> result) {
        static Result failed(String error) {
            return new Result(false, error, Map.of());
        }
    }

    private final ContainerRuntime runtime;
    private final MoveService moves;
    private final CheckpointService checkpoints;
    private final OperationManager operations;
    private final PeerLink peers;
    private final Catalog catalog;

    MemberWork(ContainerRuntime runtime, MoveService moves, CheckpointService checkpoints, OperationManager operations,
            PeerLink peers, Catalog catalog) {
        this.catalog = catalog;
        this.runtime = runtime;
        this.moves = moves;
        this.checkpoints = checkpoints;
        this.operations = operations;
        this.peers = peers;
    }

    /** RUNNING, PAUSED, STOPPED, CREATED, or GONE when this daemon has no such container. */
    String status(String container) {
        try {
            return runtime.state(container).status().name();
        } catch (NoSuchContainerException e) {
            return "GONE";
        } catch (Exception e) {
            return "UNKNOWN (" + e.getMessage() + ")";
        }
    }

    /** Moves container from here to the member target (a remote of ours through the fleet). */
    Result move(String container, String target, String mode) {
        try {
            return await(moves.start(container, target, mode, null));
        } catch (Exception e) {
            return Result.failed("move of " + container + " to " + target + " (" + mode + ") not started: "
                    + HttpApiHandler.describe(e));
        }
    }

    /** Checkpoints container here and stops it: its state is kept, it runs nowhere. */
    Result checkpointAndStop(String container) {
        try {
            checkpoints.requireRunning(container);
            Operation op = operations.start("checkpoint", container, checkpoints.claim(container, "checkpoint"), o -> {
                var rec = checkpoints.checkpoint(container, true, o);
                return Map.of("checkpoint", rec.id());
            });
            return await(op);
        } catch (Exception e) {
            return Result.failed("checkpoint and stop of " + container + " not started: " + HttpApiHandler.describe(e));
        }
    }

    /** Restores container here from its newest checkpoint. */
    Result restoreLatest(String container) {
        try {
            var rec = checkpoints.pick(container, null);
            Operation op = operations.start("restore", container, checkpoints.claim(container, "restore"), o -> {
                var state = checkpoints.restore(rec, container, true, o);
                return Map.of("checkpoint", rec.id(), "pid", state.initPid());
            });
            return await(op);
        } catch (Exception e) {
            return Result.failed("restore of " + container + " not started: " + HttpApiHandler.describe(e));
        }
    }

    /** Asks the member at peer to move container to the member named to (as it knows it), and waits. */
    Result moveOn(Peer peer, String container, String to, String mode) {
        try {
            DaemonClient c = client(peer);
            JsonNode op = c.post("/1.0/containers/" + DaemonClient.seg(container) + "/move",
                    Map.of("remote", to, "mode", mode)).json();
            return awaitRemote(c, op.path("id").asText(), peer.name());
        } catch (Exception e) {
            return Result.failed("move of " + container + " from " + peer.name() + " to " + to + ": " + describe(e));
        }
    }

    /** The container's policy and schedule here (NONE when they cannot be read: logged). */
    Protection protectionHere(String container) {
        try {
            return catalog == null ? Protection.NONE : Protection.here(catalog, container);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "cannot read the failover policy and schedule of " + container, e);
            return Protection.NONE;
        }
    }

    /** The container's policy and schedule on the member at peer (NONE when they cannot be read: logged). */
    Protection protectionOn(Peer peer, String container) {
        try {
            return Protection.on(client(peer), container);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "cannot read the failover policy and schedule of " + container + " on " + peer.name(), e);
            return Protection.NONE;
        }
    }

    /** Gives the container that now runs on the member at peer the protection it had here; null, or what failed. */
    String carryTo(Peer peer, String container, Protection p) {
        if (!p.any()) {
            return null;
        }
        try {
            p.applyOn(client(peer), container);
            return null;
        } catch (Exception e) {
            return "its failover policy and schedule could not be set on " + peer.name() + " (set them there): " + describe(e);
        }
    }

    /** Gives the container that now runs here the protection it had on the member it came from; null, or what failed. */
    String carryHere(String container, Protection p) {
        if (!p.any()) {
            return null;
        }
        try {
            p.applyHere(catalog, container);
            return null;
        } catch (Exception e) {
            return "its failover policy and schedule could not be set here (set them by hand): " + describe(e);
        }
    }

    /** The container's status on the member at peer (as status() here), or UNKNOWN when it cannot be asked. */
    String statusOn(Peer peer, String container) {
        try {
            var r = client(peer).send("GET", "/1.0/containers/" + DaemonClient.seg(container), null);
            return r.status() == 404 ? "GONE" : r.ok() ? r.json().path("status").asText("UNKNOWN") : "UNKNOWN";
        } catch (Exception e) {
            return "UNKNOWN (" + describe(e) + ")";
        }
    }

    /** A client of another member's API, presenting this daemon's certificate and pinning the member's. */
    DaemonClient client(Peer peer) throws Exception {
        return DaemonClient.overTls(peer.address(), TlsContexts.httpsClientContext(peers.identity(), peer.fingerprint()));
    }

    Result awaitRemote(DaemonClient c, String id, String where) throws Exception {
        JsonNode done = c.waitOperation(id, STEP, x -> { });
        if (DaemonClient.isRunning(done)) {
            return Result.failed("operation " + id + " on " + where + " still runs after " + STEP.toMinutes() + " minutes");
        }
        if ("success".equals(done.path("status").asText())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> r = Values.MAPPER.convertValue(done.path("result"), Map.class);
            return new Result(true, null, r == null ? Map.of() : r);
        }
        return Result.failed(done.path("error").asText("operation " + id + " on " + where + " ended "
                + done.path("status").asText()));
    }

    private static Result await(Operation op) throws InterruptedException {
        if (!op.await(STEP.toMillis())) {
            return Result.failed(op.getKind() + " of " + op.getTarget() + " still runs after " + STEP.toMinutes()
                    + " minutes (operation " + op.getId() + ")");
        }
        return "success".equals(op.getStatus()) ? new Result(true, null, op.getResult())
                : Result.failed(op.getError() == null ? op.getKind() + " of " + op.getTarget() + " " + op.getStatus() : op.getError());
    }

    static String describe(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
