package io.godwit.migrator.cluster;

import io.godwit.migrator.api.Json;
import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.catalog.CheckpointRecord;
import io.godwit.migrator.catalog.ScheduleRecord;
import io.godwit.migrator.checkpoint.CheckpointService;
import io.godwit.migrator.checkpoint.CheckpointTransfer;
import io.godwit.migrator.files.Trees;
import io.godwit.migrator.peer.PeerLink;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.image.ImageInfo;
import io.godwit.runtime.image.ImageStore;
import io.godwit.transfer.CallReply;
import io.godwit.transfer.PeerSession;
import io.godwit.transfer.SyncMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends the newest checkpoint of a failover container to one other member after each scheduled
 * checkpoint, over the peer channel and its tree transfer (the code moves use), and only what that
 * member lacks: nothing when it has the checkpoint, the image only when it lacks the image. The
 * directory then records it (P/replicas/NODE/NAME). It runs beside the container, never touching
 * it; every wait is bounded, and a failure is logged and left to the next checkpoint.
 */
final class Replicator {
    private static final Logger LOG = Logger.getLogger(Replicator.class.getName());
    /** How long one replication may take in all before it is given up (and retried at the next checkpoint). */
    static final Duration BOUND = Duration.ofSeconds(Long.getLong("godwit.cluster.replicaSeconds", 300));
    static final Duration CALL = Duration.ofSeconds(60);

    private final ClusterNode node;
    private final FleetView fleet;
    private final PeerLink peers;
    private final Catalog catalog;
    private final CheckpointService checkpoints;
    private final CheckpointTransfer transfer;
    private final ImageStore images;
    private final ContainerRuntime runtime;
    private final Path workDir;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /** The newest replica of each container, as recorded in etcd (for its directory entry). */
    private final Map<String, ReplicaRecord> newest = new ConcurrentHashMap<>();
    private volatile String lastError;

    Replicator(ClusterNode node, FleetView fleet, PeerLink peers, Catalog catalog, CheckpointService checkpoints,
            CheckpointTransfer transfer, ImageStore images, ContainerRuntime runtime, Path workDir) {
        this.node = node;
        this.fleet = fleet;
        this.peers = peers;
        this.catalog = catalog;
        this.checkpoints = checkpoints;
        this.transfer = transfer;
        this.images = images;
        this.runtime = runtime;
        this.workDir = workDir;
    }

    ReplicaRecord newest(String container) {
        return newest.get(container);
    }

    void forget(String container) {
        newest.remove(container);
    }

    String lastError() {
        return lastError;
    }

    /** After a scheduled checkpoint of container: replicates it in the background if its policy asks. */
    void afterCheckpoint(String container) {
        try {
            if (!FailoverPolicy.RESTORE.equals(catalog.failoverPolicies().get(container))) {
                return;
            }
        } catch (Exception e) {
            LOG.log(Level.WARNING, "cannot read the failover policy of " + container, e);
            return;
        }
        if (!inFlight.add(container)) {
            LOG.info("replication of " + container + ": the previous one still runs; the next checkpoint retries");
            return;
        }
        Thread.ofVirtual().name("replicate-" + container).start(() -> {
            try {
                runBounded(container);
            } finally {
                inFlight.remove(container);
            }
        });
    }

    private void runBounded(String container) {
        PeerSession[] open = new PeerSession[1];
        Throwable[] failure = new Throwable[1];
        ReplicaRecord[] done = new ReplicaRecord[1];
        Thread worker = Thread.ofVirtual().name("replica-" + container).start(() -> {
            try {
                done[0] = replicate(container, open);
            } catch (Throwable t) {
                failure[0] = t;
            }
        });
        try {
            if (!worker.join(BOUND)) {
                worker.interrupt();
                PeerSession s = open[0];
                if (s != null) {
                    s.close(); // unblocks a transfer that waits on a peer gone silent
                }
                worker.join(Duration.ofSeconds(10));
                failure[0] = new IOException("did not finish within " + BOUND.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (failure[0] != null) {
            lastError = "replication of " + container + " failed: " + MemberWork.describe(asException(failure[0]));
            LOG.warning(lastError + "; the container runs on untouched, the next scheduled checkpoint retries");
        } else if (done[0] != null) {
            lastError = null;
            LOG.info("replicated checkpoint " + done[0].checkpoint() + " of " + container + " to " + done[0].holder());
        }
    }

    private static Exception asException(Throwable t) {
        return t instanceof Exception e ? e : new RuntimeException(t);
    }

    /** One replication, start to end; returns what the directory now records. */
    ReplicaRecord replicate(String container, PeerSession[] open) throws Exception {
        String me = node.name();
        CheckpointRecord rec = checkpoints.pick(container, null);
        var state = runtime.state(container);
        ImageInfo image = images.find(state.imageFingerprint()).orElseThrow(
                () -> new IOException("the image " + state.imageFingerprint() + " of " + container + " is gone"));
        var members = fleet.members();
        Member self = members.stream().filter(m -> m.name().equals(me)).findFirst().orElseThrow(
                () -> new ClusterUnavailableException(me + " is not registered in the fleet right now"));
        String current = Optional.ofNullable(newest.get(container)).map(ReplicaRecord::holder)
                .or(() -> fleet.replica(me, container).map(ReplicaRecord::holder)).orElse(null);
        long memory = state.isActive() ? runtime.stats(container).memoryBytes() : 0;
        var need = new Placement.Need(container, memory, rec.sizeBytes() + (64L << 20));
        Placement.Assignment a = ReplicaPlacement.choose(self, need, members, current);
        if (!a.placed()) {
            throw new IOException("no member can hold a replica of " + container + ": " + a.why());
        }
        String holder = a.target();
        PeerSession session = peers.session(holder);
        open[0] = session;
        String id = "replica-" + UUID.randomUUID();
        var offer = new ReplicaProtocol.Offer(id, me, container, rec.id(), image.fingerprint());
        var answer = call(session, holder, ReplicaProtocol.OFFER, offer, ReplicaProtocol.OfferAnswer.class, CALL);
        if (!answer.have()) {
            if (!answer.imagePresent()) {
                Path content = images.content(image.fingerprint()).orElseThrow();
                session.sendTree(content, ReplicaProtocol.treeId(id, ReplicaProtocol.TREE_IMAGE), SyncMode.FULL,
                        (x, y, z) -> { });
            }
            Path scratch = Files.createTempDirectory(workDir, "replica-");
            try {
                Path dir = Files.createDirectories(scratch.resolve(ReplicaProtocol.TREE_ARCHIVE));
                transfer.export(rec, dir.resolve("checkpoint.godwit"));
                session.sendTree(dir, ReplicaProtocol.treeId(id, ReplicaProtocol.TREE_ARCHIVE), SyncMode.FULL,
                        (x, y, z) -> { });
            } finally {
                Trees.delete(scratch);
            }
            call(session, holder, ReplicaProtocol.COMMIT, new ReplicaProtocol.Commit(id, !answer.imagePresent(),
                    image.alias()), ReplicaProtocol.Committed.class, BOUND);
        }
        ScheduleRecord schedule = catalog.schedules().stream().filter(s -> s.container().equals(container)).findFirst()
                .orElse(null);
        ReplicaRecord r = new ReplicaRecord(me, container, holder, rec.id(), Instant.now().toString(),
                schedule == null ? 0 : schedule.everySeconds(), schedule == null ? 0 : schedule.keep());
        fleet.putReplica(r);
        newest.put(container, r);
        return r;
    }

    static <T> T call(PeerSession session, String holder, String method, Object body, Class<T> answer, Duration timeout)
            throws IOException {
        CallReply r = session.call(method, Json.MAPPER.writeValueAsBytes(body), timeout);
        if (r.isError()) {
            String msg = r.error();
            if (msg.isEmpty()) {
                msg = Json.MAPPER.readTree(r.json()).path("error").asText("status " + r.status());
            }
            throw new IOException(holder + " refused " + method + ": " + msg);
        }
        return Json.MAPPER.readValue(r.json(), answer);
    }
}
