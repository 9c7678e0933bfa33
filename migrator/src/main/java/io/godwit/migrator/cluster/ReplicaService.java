package io.godwit.migrator.cluster;

import io.godwit.migrator.api.ApiException;
import io.godwit.migrator.api.Json;
import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.catalog.CheckpointRecord;
import io.godwit.migrator.catalog.ScheduleRecord;
import io.godwit.migrator.checkpoint.CheckpointService;
import io.godwit.migrator.checkpoint.CheckpointTransfer;
import io.godwit.migrator.files.AtomicWrite;
import io.godwit.migrator.files.Trees;
import io.godwit.migrator.ops.Operation;
import io.godwit.migrator.ops.OperationManager;
import io.godwit.migrator.peer.PeerLink;
import io.godwit.runtime.ContainerName;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.image.ImageInfo;
import io.godwit.runtime.image.ImageStore;
import io.godwit.transfer.CallReply;
import io.godwit.transfer.PeerService;
import io.godwit.transfer.TransferException;
import io.godwit.transfer.TreeStats;
import io.godwit.transfer.TunnelTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The holder's side of failover, in front of the daemon's other peer calls: it takes replicas
 * from members (offer, the trees, commit: the archive verified chunk by chunk and whole by the
 * checkpoint import), keeps the newest one per member and container (ROOT/replicas/NODE/NAME
 * names it; the one before is deleted), and restores one when the leader says its member died.
 * A member can only send replicas of its own containers: the node it names must be the one its
 * certificate belongs to.
 */
final class ReplicaService implements PeerService {
    private static final Logger LOG = Logger.getLogger(ReplicaService.class.getName());
    static final Duration RESTORE_BOUND = Duration.ofMinutes(5);
    static final long FORGET_PENDING_MS = 3_600_000;

    private record Pending(String id, String peer, String node, String container, String checkpoint, String image,
            Path dir, long createdAt) {
    }

    /** The daemon's other peer calls (moves, ...): set once the peer channel is assembled. */
    private volatile PeerService next;
    private final PeerLink peers;
    private final Catalog catalog;
    private final CheckpointService checkpoints;
    private final CheckpointTransfer transfer;
    private final ImageStore images;
    private final ContainerRuntime runtime;
    private final OperationManager operations;
    private final Path staging;
    private final Path held;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    ReplicaService(PeerLink peers, Catalog catalog, CheckpointService checkpoints,
            CheckpointTransfer transfer, ImageStore images, ContainerRuntime runtime, OperationManager operations,
            Path root) throws IOException {
        this.peers = peers;
        this.catalog = catalog;
        this.checkpoints = checkpoints;
        this.transfer = transfer;
        this.images = images;
        this.runtime = runtime;
        this.operations = operations;
        this.staging = Files.createDirectories(root.resolve("incoming-replicas"));
        this.held = Files.createDirectories(root.resolve("replicas"));
        Trees.delete(staging); // a replica cut short by a stop is worthless: the next checkpoint sends it again
        Files.createDirectories(staging);
    }

    /** This service in front of next, the daemon's other peer calls. */
    PeerService inFrontOf(PeerService next) {
        this.next = next;
        return this;
    }

    @Override
    public CallReply handleCall(String method, byte[] json, String peer) throws Exception {
        if (!method.startsWith("replica.") && !method.startsWith("failover.")) {
            return next.handleCall(method, json, peer);
        }
        try {
            Object answer = switch (method) {
                case ReplicaProtocol.OFFER -> offer(Json.MAPPER.readValue(json, ReplicaProtocol.Offer.class), peer);
                case ReplicaProtocol.COMMIT -> commit(Json.MAPPER.readValue(json, ReplicaProtocol.Commit.class), peer);
                case ReplicaProtocol.RESTORE -> restore(Json.MAPPER.readValue(json, ReplicaProtocol.Restore.class), peer);
                default -> throw new ApiException(404, "no peer call " + method);
            };
            return CallReply.ok(Json.MAPPER.writeValueAsBytes(answer));
        } catch (ApiException e) {
            return CallReply.of(e.status(), Json.MAPPER.writeValueAsBytes(Map.of("error", e.getMessage())));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            return CallReply.of(400, Json.MAPPER.writeValueAsBytes(Map.of("error", "malformed " + method + ": "
                    + e.getOriginalMessage())));
        }
    }

    /** The member whose certificate called; only fleet members take part in failover. */
    private String member(String peer) {
        String name = peers.trustedName(peer);
        if (name == null || !name.startsWith(PeerLink.MEMBER_PREFIX)) {
            throw new ApiException(403, "only members of the fleet send replicas or order failovers");
        }
        return name.substring(PeerLink.MEMBER_PREFIX.length());
    }

    private static void validate(String node, String container, String checkpoint) {
        try {
            ContainerName.validate(node);
            ContainerName.validate(container);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        if (checkpoint == null || !ReplicaProtocol.CHECKPOINT_ID.matcher(checkpoint).matches()) {
            throw ApiException.badRequest("bad checkpoint id '" + checkpoint + "'");
        }
    }

    private ReplicaProtocol.OfferAnswer offer(ReplicaProtocol.Offer o, String peer) throws Exception {
        String node = member(peer);
        if (!node.equals(o.node())) {
            throw new ApiException(403, node + " cannot send replicas of " + o.node() + "'s containers");
        }
        validate(o.node(), o.container(), o.checkpoint());
        if (o.replicaId() == null || !ReplicaProtocol.REPLICA_ID.matcher(o.replicaId()).matches()) {
            throw ApiException.badRequest("bad replica id '" + o.replicaId() + "'");
        }
        long now = System.currentTimeMillis();
        pending.values().removeIf(p -> {
            boolean stale = now - p.createdAt() > FORGET_PENDING_MS;
            if (stale) {
                deleteQuietly(p.dir());
            }
            return stale;
        });
        boolean imagePresent = o.image() != null && images.find(o.image()).isPresent();
        if (catalog.checkpoint(o.checkpoint()).isPresent()) {
            keep(o.node(), o.container(), o.checkpoint()); // it has it: only the note of the newest changes
            return new ReplicaProtocol.OfferAnswer(true, imagePresent);
        }
        Path dir = Files.createDirectories(staging.resolve(o.replicaId()));
        if (pending.putIfAbsent(o.replicaId(), new Pending(o.replicaId(), peer, o.node(), o.container(), o.checkpoint(),
                o.image(), dir, now)) != null) {
            throw ApiException.conflict("replica " + o.replicaId() + " is already under way");
        }
        return new ReplicaProtocol.OfferAnswer(false, imagePresent);
    }

    @Override
    public Path treeTarget(String treeId, String peer) throws Exception {
        int slash = treeId.indexOf('/');
        if (slash < 0 || !treeId.startsWith("replica-")) {
            return next.treeTarget(treeId, peer);
        }
        String part = treeId.substring(slash + 1);
        Pending p = pending.get(treeId.substring(0, slash));
        if (p == null || !p.peer().equals(peer)
                || !(part.equals(ReplicaProtocol.TREE_IMAGE) || part.equals(ReplicaProtocol.TREE_ARCHIVE))) {
            throw new TransferException("unknown tree " + treeId);
        }
        return Files.createDirectories(p.dir().resolve(part));
    }

    @Override
    public boolean durable(String treeId) {
        return treeId.startsWith("replica-") || next.durable(treeId);
    }

    @Override
    public void treeReceived(String treeId, String peer, TreeStats stats) {
        if (!treeId.startsWith("replica-")) {
            next.treeReceived(treeId, peer, stats);
        }
    }

    @Override
    public TunnelTarget openTunnel(String tunnelId, String peer) throws Exception {
        return next.openTunnel(tunnelId, peer);
    }

    private ReplicaProtocol.Committed commit(ReplicaProtocol.Commit c, String peer) throws Exception {
        Pending p = pending.remove(c.replicaId() == null ? "" : c.replicaId());
        if (p == null || !p.peer().equals(peer)) {
            throw ApiException.notFound("replica", String.valueOf(c.replicaId()));
        }
        try {
            if (c.imageSent()) {
                importImage(p, c.imageAlias());
            }
            Path archive = p.dir().resolve(ReplicaProtocol.TREE_ARCHIVE).resolve("checkpoint.godwit");
            if (!Files.isRegularFile(archive)) {
                throw ApiException.badRequest("replica " + p.id() + " of " + p.container() + ": no archive arrived");
            }
            CheckpointRecord rec = transfer.importArchive(archive);
            if (!rec.id().equals(p.checkpoint()) || !rec.container().equals(p.container())) {
                checkpoints.discard(rec.id());
                throw ApiException.badRequest("replica " + p.id() + " holds checkpoint " + rec.id() + " of "
                        + rec.container() + ", not " + p.checkpoint() + " of " + p.container());
            }
            keep(p.node(), p.container(), rec.id());
            LOG.info("holding replica " + rec.id() + " of " + p.node() + "/" + p.container());
            return new ReplicaProtocol.Committed(rec.id(), Files.size(archive));
        } finally {
            deleteQuietly(p.dir());
        }
    }

    private void importImage(Pending p, String alias) throws Exception {
        Path tree = p.dir().resolve(ReplicaProtocol.TREE_IMAGE);
        if (alias == null || images.find(alias).isPresent()) {
            alias = "img-" + p.image().substring(0, Math.min(12, p.image().length())); // never take a local alias
        }
        ImageInfo info = images.importImage(alias, tree);
        if (!info.fingerprint().equals(p.image())) {
            images.delete(info.fingerprint());
            throw ApiException.conflict("the image of replica " + p.id() + " arrived with fingerprint "
                    + info.fingerprint() + ", expected " + p.image());
        }
    }

    private Path note(String node, String container) {
        return held.resolve(node).resolve(container);
    }

    /**
     * Notes checkpoint as the newest replica of node's container; the one it replaces is kept as well
     * (the note holds both, newest first) and the one before that is deleted. Two, because the member
     * records the new replica in etcd (P/replicas) only after this commit: if it dies in between, the
     * entry the leader reads names the one before, which must still be here.
     */
    private synchronized void keep(String node, String container, String checkpoint) throws Exception {
        Path f = note(node, container);
        List<String> before = held(f);
        if (!before.isEmpty() && before.get(0).equals(checkpoint)) {
            return;
        }
        List<String> now = new ArrayList<>(List.of(checkpoint));
        before.stream().filter(c -> !c.equals(checkpoint)).findFirst().ifPresent(now::add);
        Files.createDirectories(f.getParent());
        AtomicWrite.write(f, String.join("\n", now).getBytes(StandardCharsets.UTF_8));
        for (String old : before) {
            if (!now.contains(old) && catalog.checkpoint(old).isPresent()) {
                checkpoints.discard(old);
            }
        }
    }

    /** The replicas noted in f, newest first (a note of an older daemon holds one). */
    private static List<String> held(Path f) throws java.io.IOException {
        if (!Files.exists(f)) {
            return new ArrayList<>();
        }
        return new ArrayList<>(Files.readAllLines(f).stream().map(String::strip).filter(l -> !l.isEmpty()).toList());
    }

    private ReplicaProtocol.Restored restore(ReplicaProtocol.Restore o, String peer) throws Exception {
        return restoreHere(o, member(peer));
    }

    /** Restores node's container from its replica here, as ordered by leader (this member itself, or another). */
    ReplicaProtocol.Restored restoreHere(ReplicaProtocol.Restore o, String leader) throws Exception {
        validate(o.node(), o.container(), o.checkpoint());
        Path f = note(o.node(), o.container());
        if (!held(f).contains(o.checkpoint())) {
            throw ApiException.notFound("replica of " + o.node() + "/" + o.container(), o.checkpoint());
        }
        CheckpointRecord rec = catalog.checkpoint(o.checkpoint())
                .orElseThrow(() -> ApiException.notFound("checkpoint", o.checkpoint()));
        if (runtime.list().stream().anyMatch(s -> s.name().equals(o.container()))) {
            throw ApiException.conflict("a container named " + o.container() + " exists here already");
        }
        LOG.warning("failover ordered by " + leader + ": restoring " + o.node() + "/" + o.container() + " from "
                + o.checkpoint());
        long t0 = System.nanoTime();
        Operation op = operations.start("failover-restore", o.container(),
                checkpoints.claim(o.container(), "failover restore"), w -> {
                    var s = checkpoints.restore(rec, o.container(), false, w);
                    return Map.of("pid", s.initPid(), "from", o.node(), "checkpoint", rec.id());
                });
        if (!op.await(RESTORE_BOUND.toMillis())) {
            throw new ApiException(504, "the restore of " + o.container() + " still runs after "
                    + RESTORE_BOUND.toMinutes() + " minutes (operation " + op.getId() + ")");
        }
        if (!"success".equals(op.getStatus())) {
            throw new ApiException(500, "restore of " + o.container() + " from replica " + o.checkpoint()
                    + " failed: " + op.getError());
        }
        // It is ours now: it carries on with its policy and schedule, and replicates from here.
        catalog.putFailoverPolicy(o.container(), FailoverPolicy.RESTORE);
        if (o.everySeconds() > 0) {
            catalog.putSchedule(new ScheduleRecord(o.container(), o.everySeconds(), Math.max(1, o.keep()), Instant.now(),
                    null));
        }
        Files.deleteIfExists(f);
        int pid = runtime.state(o.container()).initPid();
        return new ReplicaProtocol.Restored(o.container(), pid, (System.nanoTime() - t0) / 1_000_000);
    }

    private static void deleteQuietly(Path dir) {
        try {
            Trees.delete(dir);
        } catch (IOException e) {
            LOG.warning("cannot remove " + dir + ": " + e.getMessage());
        }
    }
}
