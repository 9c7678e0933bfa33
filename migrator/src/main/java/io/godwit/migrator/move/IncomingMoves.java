package io.godwit.migrator.move;

import io.godwit.criu.CriuClient;
import io.godwit.criu.CriuException;
import io.godwit.criu.CriuFeatures;
import io.godwit.criu.CriuVersion;
import io.godwit.migrator.api.ApiException;
import io.godwit.migrator.api.Json;
import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.catalog.ScheduleRecord;
import io.godwit.migrator.checkpoint.CheckpointService;
import io.godwit.migrator.files.Trees;
import io.godwit.migrator.move.MoveProtocol.Abort;
import io.godwit.migrator.move.MoveProtocol.ImageCommit;
import io.godwit.migrator.move.MoveProtocol.LazyDone;
import io.godwit.migrator.move.MoveProtocol.LazyFinish;
import io.godwit.migrator.move.MoveProtocol.LazyPrepare;
import io.godwit.migrator.move.MoveProtocol.LazyReady;
import io.godwit.migrator.move.MoveProtocol.Preflight;
import io.godwit.migrator.move.MoveProtocol.PreflightAnswer;
import io.godwit.migrator.move.MoveProtocol.RestoreOrder;
import io.godwit.migrator.move.MoveProtocol.Restored;
import io.godwit.migrator.move.MoveProtocol.TargetPrepare;
import io.godwit.migrator.move.MoveProtocol.TargetPrepared;
import io.godwit.migrator.ops.Operation;
import io.godwit.migrator.ops.OperationManager;
import io.godwit.runtime.ContainerName;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.ContainerState;
import io.godwit.runtime.image.ImageInfo;
import io.godwit.runtime.image.ImageStore;
import io.godwit.migrator.peer.PeerLink;
import io.godwit.transfer.CallReply;
import io.godwit.transfer.PeerSession;
import io.godwit.transfer.PeerService;
import io.godwit.transfer.TransferException;
import io.godwit.transfer.TunnelTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The target side of moves: answers a source daemon's pre-flight, receives its trees into a
 * staging directory of the move, restores the container, and removes every trace when the
 * source aborts. Only the peer that opened a move may send to it.
 */
public final class IncomingMoves implements PeerService {
    private static final Logger LOG = Logger.getLogger(IncomingMoves.class.getName());
    /** Room kept free beyond what a move brings, so that a move never fills the disk. */
    static final long DISK_MARGIN = 64L << 20;

    /**
     * A move this daemon agreed to; restored is the container it made, once it made one. A
     * finished move is remembered for a while: if our "running" answer was lost, the source's
     * abort still finds (and removes) the container, so that the container runs in one place.
     */
    private record Incoming(String moveId, String peer, String name, Path dir, String restored, long createdAt) {
        Incoming withRestored(String n) {
            return new Incoming(moveId, peer, name, dir, n, createdAt);
        }
    }

    static final long FORGET_FINISHED_MS = 3_600_000;

    /**
     * How long an unfinished move may go without a word from its source. Long, because a source
     * says nothing while it dumps a large container or sends one large tree; a source that died
     * and starts again aborts its moves itself (its journal), so this only catches sources that
     * never come back.
     */
    private volatile java.time.Duration idleLimit = java.time.Duration.ofMinutes(30);

    private final ContainerRuntime runtime;
    private final ImageStore images;
    private final CriuClient criu;
    private final CheckpointService checkpoints;
    private final OperationManager operations;
    private final Path stagingRoot;
    private final String nodeName;
    private final Map<String, Incoming> moves = new ConcurrentHashMap<>();
    private final Map<String, Long> lastHeard = new ConcurrentHashMap<>();
    private final Map<String, Boolean> restoring = new ConcurrentHashMap<>();
    private final Map<String, LazyPagesReceiver> lazy = new ConcurrentHashMap<>();
    /** Lazy moves whose container was made ready before the source froze (see PreparedRestore). */
    private final Map<String, PreparedRestore> prepared = new ConcurrentHashMap<>();
    private final PeerLink peers;
    private final PageServers pageServers;

    /**
     * One small file per container restored by a move (moveId, holding its name), kept for
     * FORGET_FINISHED_MS across restarts: an abort that arrives after our answer was lost, or
     * after this daemon restarted, still finds the copy to remove.
     */
    private final Path restoredMarks;

    /**
     * One small file per restore under way (moveId, holding the name), removed when it ended either
     * way: a daemon killed mid-restore leaves a half-made container (CREATED, or worse) that only this
     * mark ties to its move, so that the source's abort, which comes once it is back, removes it.
     */
    private final Path restoringMarks;
    /** Where a moved container's failover policy and schedule are kept once it runs here. */
    private final Catalog catalog;

    public IncomingMoves(ContainerRuntime runtime, ImageStore images, CriuClient criu, CheckpointService checkpoints,
            OperationManager operations, Path stagingRoot, String nodeName, PeerLink peers, PageServers pageServers,
            Catalog catalog) throws IOException {
        this.catalog = catalog;
        this.peers = peers;
        this.pageServers = pageServers;
        this.restoredMarks = Files.createDirectories(stagingRoot.resolveSibling(stagingRoot.getFileName() + "-restored"));
        this.restoringMarks = Files.createDirectories(stagingRoot.resolveSibling(stagingRoot.getFileName() + "-restoring"));
        this.runtime = runtime;
        this.images = images;
        this.criu = criu;
        this.checkpoints = checkpoints;
        this.operations = operations;
        this.stagingRoot = Files.createDirectories(stagingRoot);
        this.nodeName = nodeName;
    }

    /**
     * A daemon that stopped mid-move left staging directories no source will ever finish, and maybe a
     * container its restore had begun: one that does not run is removed now; one that runs waits for
     * the source's abort (the source keeps its own copy frozen until it has that answer).
     */
    public int discardStaleStaging() throws IOException {
        int n = 0;
        try (var marks = Files.list(restoringMarks)) {
            for (Path mark : marks.toList()) {
                String name = Files.readString(mark).strip();
                var copy = runtime.list().stream().filter(c -> c.name().equals(name)).findFirst();
                if (copy.isPresent() && copy.get().status() == ContainerState.Status.RUNNING) {
                    continue;
                }
                if (copy.isPresent()) {
                    removeCopy(mark.getFileName().toString(), name);
                    LOG.warning("removed " + name + ": this daemon stopped while it restored it for move "
                            + mark.getFileName());
                } else if (runtime.discardUnfinished(name)) {
                    // stopped inside the create itself: no container to list, but the directory held the name
                    LOG.warning("removed what the create of " + name + " had made: this daemon stopped while it"
                            + " restored it for move " + mark.getFileName());
                }
                Files.deleteIfExists(mark);
            }
        }
        try (var dirs = Files.list(stagingRoot)) {
            for (Path d : dirs.toList()) {
                Trees.delete(d);
                n++;
            }
        }
        return n;
    }

    @Override
    public CallReply handleCall(String method, byte[] json, String peer) throws Exception {
        try {
            Object answer = switch (method) {
                case MoveProtocol.PREFLIGHT -> preflight(Json.MAPPER.readValue(json, Preflight.class), peer);
                case MoveProtocol.IMAGE -> importImage(Json.MAPPER.readValue(json, ImageCommit.class), peer);
                case MoveProtocol.RESTORE -> restore(Json.MAPPER.readValue(json, RestoreOrder.class), peer);
                case MoveProtocol.TARGET_PREPARE -> targetPrepare(Json.MAPPER.readValue(json, TargetPrepare.class), peer);
                case MoveProtocol.LAZY_PREPARE -> lazyPrepare(Json.MAPPER.readValue(json, LazyPrepare.class), peer);
                case MoveProtocol.LAZY_FINISH -> lazyFinish(Json.MAPPER.readValue(json, LazyFinish.class), peer);
                case MoveProtocol.ABORT -> abort(Json.MAPPER.readValue(json, Abort.class), peer);
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

    private PreflightAnswer preflight(Preflight p, String peer) throws Exception {
        requireMoveId(p.moveId());
        try {
            ContainerName.validate(p.name());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        if (runtime.list().stream().anyMatch(s -> s.name().equals(p.name()))) {
            throw ApiException.conflict("a container named " + p.name() + " exists on " + nodeName
                    + ": move it under another name (--name)");
        }
        var pending = moves.values().stream().filter(m -> m.restored() == null && m.name().equals(p.name())).findFirst();
        if (pending.isPresent()) {
            throw ApiException.conflict("a move of a container named " + p.name() + " to " + nodeName + " is under way"
                    + " (move " + pending.get().moveId() + " from " + pending.get().peer() + "); it ends when its source"
                    + " finishes or aborts it, or after " + (idleLimit.toSeconds() < 120 ? idleLimit.toSeconds() + " s"
                    : idleLimit.toMinutes() + " minutes") + " without a word from it");
        }
        CriuVersion mine = criu.version();
        CriuVersion theirs = parseVersion(p.criuVersion());
        if (mine.compareTo(theirs) < 0) {
            throw ApiException.conflict("CRIU " + mine + " on " + nodeName + " is older than the source's " + theirs
                    + ": it may not read its images");
        }
        checkCpu(p.cpuinfo());
        for (String hostPath : p.volumeHostPaths() == null ? java.util.List.<String>of() : p.volumeHostPaths()) {
            if (!Files.isDirectory(Path.of(hostPath))) {
                throw ApiException.conflict("volume " + hostPath + " does not exist on " + nodeName);
            }
        }
        boolean imagePresent = p.imageFingerprint() != null && images.find(p.imageFingerprint()).isPresent();
        long need = p.bytesNeeded() + (imagePresent ? 0 : p.imageBytes()) + DISK_MARGIN;
        long free = Files.getFileStore(stagingRoot).getUsableSpace();
        if (free < need) {
            throw new ApiException(507, "not enough disk on " + nodeName + ": the move needs " + mib(need)
                    + " MiB (with " + mib(DISK_MARGIN) + " MiB to spare), " + mib(free) + " MiB are free");
        }
        Path dir = stagingRoot.resolve(p.moveId());
        long now = System.currentTimeMillis();
        moves.values().removeIf(m -> m.restored() != null && now - m.createdAt() > FORGET_FINISHED_MS);
        forgetOldMarks();
        if (moves.putIfAbsent(p.moveId(), new Incoming(p.moveId(), peer, p.name(), dir, null, now)) != null) {
            throw ApiException.conflict("move " + p.moveId() + " is already under way");
        }
        Files.createDirectories(dir);
        lastHeard.put(p.moveId(), System.nanoTime());
        CriuFeatures f = criu.features();
        LOG.info("move " + p.moveId() + " of " + p.name() + " from " + peer + " accepted");
        return new PreflightAnswer(nodeName, imagePresent, free, mine.toString(), f.lazyPages(), f.memTrack());
    }

    private void checkCpu(String cpuinfoBase64) throws Exception {
        if (cpuinfoBase64 == null || cpuinfoBase64.isEmpty()) {
            throw ApiException.badRequest("pre-flight without the source's CPU description");
        }
        Path dir = Files.createTempDirectory(stagingRoot, ".cpu-");
        try {
            Files.write(dir.resolve("cpuinfo.img"), Base64.getDecoder().decode(cpuinfoBase64));
            criu.cpuinfoCheck(dir);
        } catch (CriuException e) {
            throw ApiException.conflict("the CPU of " + nodeName + " cannot run what the source's CPU runs: "
                    + e.getMessage());
        } finally {
            Trees.delete(dir);
        }
    }

    private Map<String, Object> importImage(ImageCommit c, String peer) throws Exception {
        Incoming m = ownMove(c.moveId(), peer);
        Path tree = m.dir().resolve(MoveProtocol.TREE_IMAGE);
        String alias = c.alias();
        if (alias == null || images.find(alias).isPresent()) {
            alias = "img-" + c.fingerprint().substring(0, 12); // never take an alias from a local image
        }
        ImageInfo info = images.importImage(alias, tree);
        if (!info.fingerprint().equals(c.fingerprint())) {
            images.delete(info.fingerprint());
            throw ApiException.conflict("image arrived with fingerprint " + info.fingerprint() + ", expected "
                    + c.fingerprint());
        }
        Trees.delete(tree);
        return Map.of("fingerprint", info.fingerprint(), "alias", info.alias());
    }

    private Restored restore(RestoreOrder o, String peer) throws Exception {
        Incoming m = ownMove(o.moveId(), peer);
        if (!o.name().equals(m.name())) {
            throw ApiException.badRequest("move " + o.moveId() + " was agreed for " + m.name() + ", not " + o.name());
        }
        long t0 = System.nanoTime();
        restoring.put(o.moveId(), Boolean.TRUE);
        io.godwit.migrator.files.AtomicWrite.write(restoringMarks.resolve(o.moveId()),
                o.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        PreparedRestore ready = takePrepared(o);
        Operation op = operations.start("move-in", o.name(), work -> {
            LazyPagesReceiver pages = lazy.get(o.moveId());
            if (o.lazy() && pages == null) {
                if (ready != null) {
                    ready.discard("lazy restore without lazy-pages");
                }
                throw ApiException.conflict("lazy restore of move " + o.moveId() + " without lazy-pages prepared");
            }
            ContainerState s = ready != null
                    ? ready.restore(criu, m.dir().resolve(MoveProtocol.TREE_IMAGES), o.stdioPipes(), lazyWorkDir(m), work,
                            "move " + o.moveId())
                    : checkpoints.restoreImages(o.name(), o.spec(), m.dir().resolve(MoveProtocol.TREE_IMAGES),
                            m.dir().resolve(MoveProtocol.TREE_ROOTFS), o.stdioPipes(), work, "move " + o.moveId(),
                            o.lazy() ? lazyWorkDir(m) : null);
            moves.computeIfPresent(o.moveId(), (k, v) -> v.withRestored(o.name()));
            io.godwit.migrator.files.AtomicWrite.write(restoredMarks.resolve(o.moveId()),
                    o.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return Map.of("pid", s.initPid(), "move", o.moveId());
        });
        try {
            op.await(Long.MAX_VALUE);
        } finally {
            restoring.remove(o.moveId());
            lastHeard.put(o.moveId(), System.nanoTime());
            Files.deleteIfExists(restoringMarks.resolve(o.moveId())); // it ran (restored mark) or was removed
        }
        if (!"success".equals(op.getStatus())) {
            throw new ApiException(500, "restore on " + nodeName + " failed: " + op.getError());
        }
        ContainerState s = runtime.state(o.name());
        keepCarried(o);
        if (!o.lazy()) {
            Trees.delete(m.dir()); // running here: what arrived is no longer needed
        }
        return new Restored(o.name(), s.initPid(), (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * The policy and schedule that came with a container that now runs here. Not having them is not
     * worth failing a move whose container already runs: said in the log, with what to do.
     */
    private void keepCarried(RestoreOrder o) {
        MoveProtocol.Carried c = o.carried();
        if (c == null || !c.any() || catalog == null) {
            return;
        }
        try {
            if (c.onNodeFailure() != null) {
                catalog.putFailoverPolicy(o.name(), c.onNodeFailure());
            }
            if (c.scheduleEverySeconds() > 0) {
                catalog.putSchedule(new ScheduleRecord(o.name(), c.scheduleEverySeconds(), Math.max(1, c.scheduleKeep()),
                        java.time.Instant.now(), null));
            }
        } catch (java.sql.SQLException e) {
            LOG.log(Level.WARNING, o.name() + " moved here (move " + o.moveId() + ") but its failover policy or"
                    + " checkpoint schedule could not be kept; set them again ('godwit checkpoint schedule')", e);
        }
    }

    private static Path lazyWorkDir(Incoming m) {
        return m.dir().resolve("lazy");
    }

    private LazyReady lazyPrepare(LazyPrepare p, String peer) throws Exception {
        Incoming m = ownMove(p.moveId(), peer);
        if (p.sourceAddress() == null) {
            throw ApiException.badRequest("lazy-prepare without the source's address");
        }
        PreparedRestore ready = prepared.get(p.moveId());
        if (ready != null) { // the tunnel is open since the preparation
            LazyPagesReceiver r = ready.startLazyPages(criu, m.dir().resolve(MoveProtocol.TREE_IMAGES), lazyWorkDir(m));
            LazyPagesReceiver old = lazy.put(p.moveId(), r);
            if (old != null) {
                old.close();
            }
            return new LazyReady(p.moveId());
        }
        PeerSession toSource;
        try {
            toSource = peers.dial(PeerLink.parseAddress(p.sourceAddress()), peer);
        } catch (IOException e) {
            throw new ApiException(502, nodeName + " cannot reach the source at " + p.sourceAddress() + " for its pages: "
                    + e.getMessage());
        }
        LazyPagesReceiver r = LazyPagesReceiver.start(criu, toSource, p.moveId(), m.dir().resolve(MoveProtocol.TREE_IMAGES),
                lazyWorkDir(m));
        LazyPagesReceiver old = lazy.put(p.moveId(), r);
        if (old != null) {
            old.close();
        }
        return new LazyReady(p.moveId());
    }

    /** The container runs here already; waits for the last page, then drops what arrived. */
    private LazyDone lazyFinish(LazyFinish f, String peer) throws Exception {
        requireMoveId(f.moveId());
        Incoming m = moves.get(f.moveId());
        LazyPagesReceiver r = lazy.get(f.moveId());
        if (m == null || !m.peer().equals(peer) || r == null) {
            throw ApiException.notFound("lazy move", f.moveId());
        }
        long t0 = System.nanoTime();
        try {
            r.awaitAllPages(java.time.Duration.ofMinutes(30));
            return new LazyDone((System.nanoTime() - t0) / 1_000_000);
        } catch (IOException e) {
            throw new ApiException(500, "post-copy of " + m.name() + " on " + nodeName + " failed: " + e.getMessage());
        } finally {
            lazy.remove(f.moveId());
            r.close();
            Trees.delete(m.dir());
        }
    }

    /** Tunnels come from targets of our own lazy moves, to the page server offered to them. */
    @Override
    public TunnelTarget openTunnel(String tunnelId, String peer) throws Exception {
        TunnelTarget t = pageServers.target(tunnelId, peer);
        if (t == null) {
            throw new TransferException("no page server " + tunnelId + " for this peer");
        }
        return t;
    }

    private Map<String, Object> abort(Abort a, String peer) throws Exception {
        requireMoveId(a.moveId());
        Incoming m = moves.get(a.moveId());
        if (m == null) {
            return Map.of("aborted", abortRemembered(a.moveId()));
        }
        if (!m.peer().equals(peer)) {
            throw new ApiException(403, "move " + a.moveId() + " belongs to another peer");
        }
        moves.remove(a.moveId());
        lastHeard.remove(a.moveId());
        dropPrepared(a.moveId(), "the source aborted the move: " + a.reason());
        LazyPagesReceiver pages = lazy.remove(a.moveId());
        if (pages != null) {
            pages.close();
        }
        LOG.warning("move " + a.moveId() + " of " + m.name() + " aborted by the source: " + a.reason());
        if (m.restored() != null) {
            removeCopy(a.moveId(), m.restored());
        }
        Trees.delete(m.dir());
        return Map.of("aborted", true);
    }

    /** An abort for a move this daemon no longer holds in memory (it restarted): its mark still tells. */
    private boolean abortRemembered(String moveId) throws IOException {
        boolean known = false;
        Path halfMade = restoringMarks.resolve(moveId);
        if (Files.exists(halfMade)) { // this daemon died during the restore: whatever it made goes
            String name = Files.readString(halfMade).strip();
            if (runtime.list().stream().anyMatch(s -> s.name().equals(name))) {
                removeCopy(moveId, name);
            }
            Files.deleteIfExists(halfMade);
            known = true;
        }
        Path mark = restoredMarks.resolve(moveId);
        if (!Files.exists(mark)) {
            return known;
        }
        String name = Files.readString(mark).strip();
        if (runtime.list().stream().anyMatch(s -> s.name().equals(name))) {
            removeCopy(moveId, name);
        }
        Files.deleteIfExists(mark);
        return true;
    }

    private void removeCopy(String moveId, String name) {
        try {
            runtime.delete(name, true);
            Files.deleteIfExists(restoredMarks.resolve(moveId));
            LOG.warning("removed " + name + ": its source aborted move " + moveId + " and keeps the container");
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot remove " + name + " of aborted move " + moveId, e);
        }
    }

    /** Marks of moves older than FORGET_FINISHED_MS: no source aborts that late. */
    private void forgetOldMarks() throws IOException {
        long now = System.currentTimeMillis();
        try (var marks = Files.list(restoredMarks)) {
            for (Path p : marks.toList()) {
                if (now - Files.getLastModifiedTime(p).toMillis() > FORGET_FINISHED_MS) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * Post-copy, before the source freezes: makes the container ready to be restored (see
     * PreparedRestore). A restoring mark ties it to the move, so that a daemon killed from here on
     * removes it at its next start; and a source that goes away before it asks for the restore
     * takes it away too (watchSource).
     */
    private TargetPrepared targetPrepare(TargetPrepare p, String peer) throws Exception {
        Incoming m = ownMove(p.moveId(), peer);
        if (!p.name().equals(m.name()) || p.spec() == null || p.sourceAddress() == null) {
            throw ApiException.badRequest("target-prepare of move " + p.moveId() + " must name " + m.name()
                    + " with its spec and the source's address");
        }
        if (prepared.containsKey(p.moveId())) {
            throw ApiException.conflict("move " + p.moveId() + " is prepared already");
        }
        long t0 = System.nanoTime();
        Path mark = restoringMarks.resolve(p.moveId());
        io.godwit.migrator.files.AtomicWrite.write(mark, p.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        PreparedRestore ready;
        try {
            ready = PreparedRestore.prepare(runtime, peers, peer, p.moveId(), p.name(), p.spec(), p.sourceAddress(),
                    m.dir().resolve(MoveProtocol.TREE_ROOTFS), stagingRoot);
        } catch (Exception e) {
            Files.deleteIfExists(mark);
            throw new ApiException(500, "cannot prepare " + p.name() + " on " + nodeName + " for move " + p.moveId()
                    + ": " + OutgoingMove.rootMessage(e));
        }
        prepared.put(p.moveId(), ready);
        if (!moves.containsKey(p.moveId())) { // aborted while it was being prepared
            dropPrepared(p.moveId(), "the move was aborted during its preparation");
            throw ApiException.notFound("move", p.moveId());
        }
        lastHeard.put(p.moveId(), System.nanoTime());
        watchSource(p.moveId(), ready);
        LOG.info("move " + p.moveId() + ": " + p.name() + " prepared for its restore");
        return new TargetPrepared(p.name(), (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * Until the restore begins, checks every 100 ms that the session to the source still stands: a
     * source daemon that died leaves its container running where it was (nothing was frozen yet,
     * or its next start thaws it), so the copy prepared here must go, and the name with it.
     */
    private void watchSource(String moveId, PreparedRestore ready) {
        Thread.ofVirtual().name("prepared-" + moveId).start(() -> {
            while (prepared.get(moveId) == ready) {
                if (ready.sourceGone() && restoring.get(moveId) == null && prepared.remove(moveId, ready)) {
                    Incoming m = moves.remove(moveId);
                    lastHeard.remove(moveId);
                    discardPrepared(moveId, ready, "the session to its source broke (the source daemon went away)");
                    if (m != null) {
                        try {
                            Trees.delete(m.dir());
                        } catch (IOException e) {
                            LOG.log(Level.WARNING, "cannot remove the staging of move " + moveId, e);
                        }
                    }
                    LOG.warning("dropped move " + moveId + ": its source went away before the freeze");
                    return;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** The prepared container of a lazy RESTORE order, taken out of the map (none for a cold one). */
    private PreparedRestore takePrepared(RestoreOrder o) {
        PreparedRestore ready = prepared.remove(o.moveId());
        if (ready != null && !o.lazy()) {
            discardPrepared(o.moveId(), ready, "the source asked for a cold restore");
            return null;
        }
        return ready;
    }

    private void dropPrepared(String moveId, String why) {
        PreparedRestore ready = prepared.remove(moveId);
        if (ready != null) {
            discardPrepared(moveId, ready, why);
        }
    }

    private void discardPrepared(String moveId, PreparedRestore ready, String why) {
        ready.discard(why);
        try {
            Files.deleteIfExists(restoringMarks.resolve(moveId));
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot remove the restoring mark of move " + moveId, e);
        }
    }

    @Override
    public Path treeTarget(String treeId, String peer) throws Exception {
        int slash = treeId.indexOf('/');
        if (slash < 0 || !MoveProtocol.TREES.contains(treeId.substring(slash + 1))) {
            throw new TransferException("unknown tree " + treeId);
        }
        Incoming m = ownMove(treeId.substring(0, slash), peer);
        return Files.createDirectories(m.dir().resolve(treeId.substring(slash + 1)));
    }

    /** A move's trees are restored at once and worthless after a crash (discarded at start): no fsync. */
    @Override
    public boolean durable(String treeId) {
        return false;
    }

    private Incoming ownMove(String moveId, String peer) {
        requireMoveId(moveId);
        Incoming m = moves.get(moveId);
        if (m == null || !m.peer().equals(peer) || m.restored() != null) {
            throw ApiException.notFound("move", moveId);
        }
        lastHeard.put(moveId, System.nanoTime());
        return m;
    }

    /** Discards idle moves (see discardIdle) in the background, checking at least every 30 s. */
    public Thread discardIdleEvery(java.time.Duration limit) {
        this.idleLimit = limit;
        return Thread.ofVirtual().name("incoming-reaper").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(Math.min(limit.toMillis(), 30_000));
                    discardIdle();
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /**
     * Discards unfinished moves whose source has said nothing for idleLimit (it died, or its
     * aborts never got through): a source never sends into a move it has given up on.
     */
    int discardIdle() {
        int n = 0;
        long now = System.nanoTime();
        for (Incoming m : moves.values()) {
            Long heard = lastHeard.get(m.moveId());
            if (m.restored() == null && heard != null && now - heard > idleLimit.toNanos()
                    && restoring.get(m.moveId()) == null && moves.remove(m.moveId(), m)) {
                lastHeard.remove(m.moveId());
                dropPrepared(m.moveId(), "its source went silent");
                try {
                    Trees.delete(m.dir());
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "cannot remove the staging of move " + m.moveId(), e);
                }
                LOG.warning("discarded move " + m.moveId() + " of " + m.name() + ": its source went silent");
                n++;
            }
        }
        return n;
    }

    private static void requireMoveId(String id) {
        if (id == null || !MoveProtocol.MOVE_ID.matcher(id).matches()) {
            throw ApiException.badRequest("bad move id '" + id + "'");
        }
    }

    static CriuVersion parseVersion(String v) {
        try {
            String[] p = v.split("[ .]");
            return new CriuVersion(Integer.parseInt(p[0]), Integer.parseInt(p[1]),
                    p.length > 2 && p[2].matches("\\d+") ? Integer.parseInt(p[2]) : 0, "");
        } catch (RuntimeException e) {
            throw ApiException.badRequest("bad CRIU version '" + v + "'");
        }
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
