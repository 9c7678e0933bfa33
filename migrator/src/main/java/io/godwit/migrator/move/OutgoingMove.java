package io.godwit.migrator.move;

import io.godwit.criu.CriuCancel;
import io.godwit.criu.CriuClient;
import io.godwit.criu.CriuException;
import io.godwit.criu.CriuNotifications;
import io.godwit.migrator.api.Json;
import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.checkpoint.DumpAdvice;
import io.godwit.migrator.checkpoint.DumpHold;
import io.godwit.migrator.files.Trees;
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
import io.godwit.migrator.peer.PeerLink;
import io.godwit.runtime.CheckpointTarget;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.ContainerState;
import io.godwit.runtime.VolumeMount;
import io.godwit.runtime.image.ImageInfo;
import io.godwit.runtime.image.ImageStore;
import io.godwit.transfer.CallReply;
import io.godwit.transfer.PeerSession;
import io.godwit.transfer.SyncMode;
import io.godwit.transfer.TreeStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One container leaving for a peer. The rule: the container here is destroyed only after the
 * target answered that the restored one runs; any failure before that thaws it here and asks
 * the target to remove what it received or made.
 */
final class OutgoingMove {
    private static final Logger LOG = Logger.getLogger(OutgoingMove.class.getName());
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(10);

    /** What a caller asked for, checked. */
    record Request(String name, String remote, MoveMode mode, String newName) {
    }

    private final ContainerRuntime runtime;
    private final ImageStore images;
    private final CriuClient criu;
    private final PeerLink peers;
    private final Catalog catalog;
    private final Path workDir;
    private final PageServers pageServers;
    private final MoveJournal journal;
    private final Request req;
    private final Operation op;
    private final PhaseClock clock;
    private final String moveId;

    private volatile PeerSession session;
    private boolean journaled;
    private boolean settled = true; // false while the container waits, frozen, for the target's confirmation
    private boolean frozen;
    private boolean targetTouched;
    private long sentBytes;
    private long sendNanos;
    private long memoryBytes;
    private long rootfsBytes;

    OutgoingMove(ContainerRuntime runtime, ImageStore images, CriuClient criu, PeerLink peers, Catalog catalog,
            Path workDir, PageServers pageServers, MoveJournal journal, Request req, Operation op) {
        this.pageServers = pageServers;
        this.journal = journal;
        this.runtime = runtime;
        this.images = images;
        this.criu = criu;
        this.peers = peers;
        this.catalog = catalog;
        this.workDir = workDir;
        this.req = req;
        this.op = op;
        this.clock = new PhaseClock(op);
        this.moveId = op.getId();
    }

    Map<String, Object> run() throws Exception {
        Thread worker = Thread.currentThread();
        Path dumpDir = Files.createTempDirectory(workDir, "move-");
        CriuCancel criuCancel = new CriuCancel();
        try (var onCancel = op.onCancel(() -> {
            criuCancel.cancel();
            worker.interrupt();
        })) {
            return move(dumpDir, criuCancel);
        } catch (Exception | Error e) {
            String step = clock.current();
            clock.stop();
            Thread.interrupted(); // a cancel's interrupt must not break the clean-up below
            String left = undo(e, step);
            if (op.isCancelRequested()) {
                throw new CancellationException("move of " + req.name() + " cancelled during " + step + "; " + left);
            }
            throw new IOException("move of " + req.name() + " to " + req.remote() + " failed during " + step + ": "
                    + rootMessage(e) + "; " + left, e);
        } finally {
            Trees.delete(dumpDir);
            if (journaled && settled) {
                journal.end(moveId);
            }
        }
    }

    private Map<String, Object> move(Path dumpDir, CriuCancel criuCancel) throws Exception {
        clock.enter("preflight");
        CheckpointTarget target = runtime.checkpointTarget(req.name());
        ContainerState state = runtime.state(req.name());
        if (state.status() != ContainerState.Status.RUNNING) {
            throw new IllegalStateException(req.name() + " is " + state.status() + ", not running");
        }
        ImageInfo image = images.find(state.imageFingerprint()).orElseThrow(
                () -> new IOException("the image " + state.imageFingerprint() + " of " + req.name() + " is gone"));
        Path changes = runtime.changesDir(req.name());
        Path cpuDir = Files.createDirectories(dumpDir.resolve("cpu"));
        criu.cpuinfoDump(cpuDir);
        String cpuinfo = Base64.getEncoder().encodeToString(Files.readAllBytes(cpuDir.resolve("cpuinfo.img")));
        long memory = runtime.stats(req.name()).memoryBytes();
        List<String> volumes = target.spec().mounts().stream().map(VolumeMount::hostPath).toList();
        Preflight ask = new Preflight(moveId, req.newName(), image.fingerprint(), image.alias(), image.sizeBytes(),
                criu.version().toString(), cpuinfo, memory + Trees.size(changes), volumes, req.mode().label());
        session = peers.session(req.remote());
        // Journalled before the target first hears of the move: if this daemon dies now, its next start
        // tells the target to forget it, which otherwise holds the name until it gives up on the silence.
        journal.begin(new MoveJournal.Entry(moveId, req.name(), req.remote()));
        journaled = true;
        targetTouched = true; // from here the target may hold the move, even when its answer is lost
        PreflightAnswer go;
        try {
            go = preflight(ask);
        } catch (RefusedByTarget no) {
            targetTouched = false; // a considered no: the target holds nothing of the move
            throw no;
        }
        var mine = criu.features();
        boolean lazyPossible = mine.lazyPages() && go.lazyPages();
        MoveMode mode = req.mode() == MoveMode.AUTO && !canServePages()
                ? MoveMode.COLD // the target could not reach back for the pages
                : req.mode().resolve(lazyPossible, mine.memTrack() && go.memTrack(), true);
        LOG.info("moving " + req.name() + " to " + req.remote() + " (" + go.node() + ") as " + req.newName() + ", mode "
                + mode.label());

        if (!go.imagePresent()) {
            clock.enter("image");
            Path content = images.content(image.fingerprint()).orElseThrow();
            rootfsBytes += send(content, MoveProtocol.TREE_IMAGE, SyncMode.FULL).bytesSent();
            call(MoveProtocol.IMAGE, new ImageCommit(moveId, image.fingerprint(), image.alias()), Map.class,
                    RESTORE_TIMEOUT);
        }
        clock.enter("rootfs-precopy"); // while the container still runs
        rootfsBytes += send(changes, MoveProtocol.TREE_ROOTFS, SyncMode.FULL).bytesSent();
        checkCancel();

        String back = mode == MoveMode.LAZY ? sourceAddressForTarget() : null; // a no-go before the freeze
        if (mode == MoveMode.LAZY) {
            prepareTarget(target, back);
        }
        clock.enter("freeze");
        long frozenAt = System.nanoTime();
        DumpHold hold = DumpHold.begin(runtime, req.name(), target); // frozen now, or at post-dump (stopped tasks)
        frozen = hold.frozen();
        clock.enter("dump");
        Path imagesDir = Files.createDirectories(dumpDir.resolve("images"));
        Restored restored;
        long downtimeMs;
        if (mode == MoveMode.LAZY) {
            long resident = runtime.stats(req.name()).memoryBytes();
            try (FinalRootfsSync rootfsSync = frozen ? FinalRootfsSync.start(session, changes,
                    MoveProtocol.treeId(moveId, MoveProtocol.TREE_ROOTFS), req.name()) : null;
                    LazyPagesSender pages = LazyPagesSender.dump(criu, hold.options(imagesDir, dumpDir), hold, dumpDir,
                    criuCancel, req.name(), pageServers, moveId, session.peerFingerprint())) {
                frozen = hold.frozen();
                clock.enter("rootfs-final"); // what is left of it after the dump: it ran alongside when frozen first
                rootfsBytes += rootfsSync != null ? rootfsSync.await(RESTORE_TIMEOUT).bytesSent()
                        : send(changes, MoveProtocol.TREE_ROOTFS, SyncMode.INCREMENTAL).bytesSent();
                clock.enter("memory"); // everything but the pages
                memoryBytes = send(imagesDir, MoveProtocol.TREE_IMAGES, SyncMode.FULL).bytesSent();
                LazyReady ready = call(MoveProtocol.LAZY_PREPARE, new LazyPrepare(moveId, back), LazyReady.class,
                        CALL_TIMEOUT);
                op.commit("the target's restore"); // a cancel from here on is refused, not half done
                clock.enter("restore");
                restored = call(MoveProtocol.RESTORE, new RestoreOrder(moveId, req.newName(), target.spec(),
                        target.stdioPipes(), true, ready.tunnelId(), carried()), Restored.class, RESTORE_TIMEOUT);
                downtimeMs = (System.nanoTime() - frozenAt) / 1_000_000;
                // It runs there; the copy here stays frozen until the last page has crossed.
                clock.enter("pages");
                call(MoveProtocol.LAZY_FINISH, new LazyFinish(moveId), LazyDone.class, RESTORE_TIMEOUT);
                pages.awaitDumpEnd(CALL_TIMEOUT);
                // The pages crossed inside CRIU's own stream: what it had to carry is the resident memory.
                memoryBytes += resident;
                sentBytes += resident;
                sendNanos += pages.servingNanos();
            }
        } else {
            try {
                criu.dump(hold.options(imagesDir, dumpDir).build(), hold.notifications(CriuNotifications.NONE), criuCancel);
            } catch (CriuException e) {
                throw DumpAdvice.explain(req.name(), "move", e);
            } finally {
                frozen = hold.frozen();
            }
            clock.enter("rootfs-final");
            rootfsBytes += send(changes, MoveProtocol.TREE_ROOTFS, SyncMode.INCREMENTAL).bytesSent();
            clock.enter("memory");
            memoryBytes = send(imagesDir, MoveProtocol.TREE_IMAGES, SyncMode.FULL).bytesSent();
            op.commit("the target's restore"); // a cancel from here on is refused, not half done
            clock.enter("restore");
            restored = call(MoveProtocol.RESTORE, new RestoreOrder(moveId, req.newName(), target.spec(),
                    target.stdioPipes(), false, null, carried()), Restored.class, RESTORE_TIMEOUT);
            downtimeMs = (System.nanoTime() - frozenAt) / 1_000_000;
        }

        // The target runs it: from here on the copy here must go, whatever happens.
        clock.enter("cleanup");
        targetTouched = false;
        destroySource();
        clock.stop();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("mode", mode.label());
        result.put("remote", req.remote());
        result.put("name", req.newName());
        result.put("runsOn", req.remote() + ":" + req.newName()); // where the container is now
        result.put("remotePid", restored.pid());
        result.put("downtimeMs", downtimeMs);
        result.put("memoryBytes", memoryBytes);
        result.put("rootfsBytes", rootfsBytes);
        result.put("throughputMBps", sendNanos == 0 ? 0.0 : Math.round(sentBytes / 1e6 / (sendNanos / 1e9) * 10) / 10.0);
        result.put("phases", clock.millis());
        return result;
    }

    /**
     * Post-copy: while the container still runs here, the target makes it ready to be restored
     * (container, rootfs, cgroup, monitor with its criu waiting, tunnel to our page server), so
     * that the downtime holds only CRIU's work and the messages that must follow it.
     */
    private void prepareTarget(CheckpointTarget target, String back) throws Exception {
        clock.enter("target-prepare");
        call(MoveProtocol.TARGET_PREPARE, new TargetPrepare(moveId, req.newName(), target.spec(), back),
                TargetPrepared.class, CALL_TIMEOUT);
        checkCancel();
        holdBeforeFreezeForTests();
    }

    /**
     * Fault injection for end-to-end tests only: {@code -Dgodwit.fault.holdBeforeFreezeMs=N} keeps
     * a lazy move N ms (at most) between the target's preparation and the freeze, in phase
     * "hold", where a test cancels it or kills this daemon. A cancel ends the hold at once.
     */
    private void holdBeforeFreezeForTests() throws InterruptedException {
        long ms = Long.getLong("godwit.fault.holdBeforeFreezeMs", 0);
        if (ms <= 0) {
            return;
        }
        clock.enter("hold");
        long until = System.nanoTime() + ms * 1_000_000;
        while (System.nanoTime() < until) {
            checkCancel();
            Thread.sleep(50);
        }
        checkCancel();
    }

    private PreflightAnswer preflight(Preflight ask) throws Exception {
        try {
            return call(MoveProtocol.PREFLIGHT, ask, PreflightAnswer.class, CALL_TIMEOUT);
        } catch (IOException stale) {
            if (stale instanceof RefusedByTarget || session.isOpen()) {
                throw stale;
            }
            // A session kept from earlier may have died with the peer (restarted, or it revoked us): dial again.
            peers.forget(req.remote(), session);
            session = peers.session(req.remote());
            return call(MoveProtocol.PREFLIGHT, ask, PreflightAnswer.class, CALL_TIMEOUT);
        }
    }

    private boolean canServePages() {
        var a = peers.listenAddress();
        return a != null && !a.getAddress().isAnyLocalAddress();
    }

    /** Where the target dials back for the pages: our TLS port, which must be a concrete address. */
    private String sourceAddressForTarget() {
        var a = peers.listenAddress();
        if (a == null || a.getAddress().isAnyLocalAddress()) {
            throw new IllegalStateException("a lazy move needs this daemon to listen on a concrete address (--listen "
                    + "ADDR:PORT, not " + (a == null ? "none" : "a wildcard") + "): the target reaches back to it for pages");
        }
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private TreeStats send(Path dir, String tree, SyncMode mode) throws IOException {
        long doneBefore = sentBytes;
        TreeStats s = session.sendTree(dir, MoveProtocol.treeId(moveId, tree), mode,
                (done, total, path) -> op.progress(done, total));
        sentBytes = doneBefore + s.bytesSent();
        sendNanos += s.elapsed().toNanos();
        return s;
    }

    private <T> T call(String method, Object body, Class<T> answer, Duration timeout) throws IOException {
        CallReply r = session.call(method, Json.MAPPER.writeValueAsBytes(body), timeout);
        if (r.isError()) {
            String msg = r.error();
            if (msg.isEmpty()) {
                msg = Json.MAPPER.readTree(r.json()).path("error").asText("status " + r.status());
            }
            throw new RefusedByTarget(req.remote() + " refused: " + msg);
        }
        return Json.MAPPER.readValue(r.json(), answer);
    }

    private void checkCancel() {
        if (op.isCancelRequested()) {
            throw new CancellationException("cancelled");
        }
    }

    /** Kills the frozen copy here (a frozen task takes SIGKILL only once thawed) and removes it. */
    private void destroySource() {
        try {
            runtime.kill(req.name(), 9);
            runtime.resume(req.name());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "the source copy of " + req.name() + " was already stopping", e);
        }
        frozen = false;
        try {
            for (int i = 0; i < 100 && runtime.state(req.name()).status() != ContainerState.Status.STOPPED; i++) {
                Thread.sleep(50);
            }
            runtime.delete(req.name(), true);
            catalog.deleteSchedule(req.name());
            catalog.deleteFailoverPolicy(req.name()); // both went with it (carried())
        } catch (Exception e) {
            LOG.log(Level.WARNING, req.name() + " runs on " + req.remote() + " but its stopped copy here could not be "
                    + "removed; delete it by hand", e);
        }
    }

    /** The container's failover policy and schedule here, which its restore order carries to the target. */
    private MoveProtocol.Carried carried() throws java.sql.SQLException {
        String policy = catalog.failoverPolicies().get(req.name());
        for (var s : catalog.schedules()) {
            if (s.container().equals(req.name())) {
                return new MoveProtocol.Carried(policy, s.everySeconds(), s.keep());
            }
        }
        return new MoveProtocol.Carried(policy, 0, 0);
    }

    /**
     * Puts things back after a failure; returns what became of the container, for the message.
     * Before the restore was asked for, the target cannot be running the container, so the copy
     * here is thawed first (its downtime is what matters) and the target cleaned after. Once the
     * restore was asked for, the target may run it (its answer lost, or post-copy under way): its
     * copy is removed first, and this one is thawed only when the target confirmed that. If the
     * target cannot be reached, the copy here stays frozen, never lost and never running twice,
     * until a background retry gets the confirmation (then it is thawed) or an operator decides.
     */
    private String undo(Throwable cause, String step) {
        List<String> notes = new ArrayList<>();
        boolean targetMayRunIt = step.equals("restore") || step.equals("pages");
        if (targetTouched && targetMayRunIt) {
            if (abortOnTarget(rootMessage(cause), true)) {
                notes.add(req.remote() + " removed its copy and what it had received");
                if (step.equals("pages")) {
                    notes.add("it ran there during post-copy; it carries on here from the instant it was frozen");
                }
                thaw(notes);
            } else {
                notes.add(req.remote() + " cannot be reached and may be running it: the copy here stays frozen (paused)"
                        + " until " + req.remote() + " confirms it dropped its copy (retried for "
                        + TargetAbort.RETRY_FOR.toMinutes() + " minutes); check " + req.remote()
                        + ", then resume or delete it here");
            }
        } else {
            thaw(notes);
            if (targetTouched) {
                notes.add(abortOnTarget(rootMessage(cause), false) ? req.remote() + " removed what it had received"
                        : req.remote() + " cannot be reached yet; it is told to clean up when it can be (retried for "
                                + TargetAbort.RETRY_FOR.toMinutes() + " minutes, and it discards stale moves itself)");
            }
        }
        try {
            ContainerState s = runtime.state(req.name());
            notes.add(0, req.name() + " is " + s.status().name().toLowerCase() + " here");
        } catch (IOException | RuntimeException e) {
            notes.add(0, "the state of " + req.name() + " here is unknown: " + e.getMessage());
        }
        return String.join("; ", notes);
    }

    private void thaw(List<String> notes) {
        if (!frozen) {
            return;
        }
        try {
            runtime.resume(req.name());
            frozen = false;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, "cannot thaw " + req.name() + " after a failed move", e);
            notes.add("could not thaw it: " + e.getMessage());
        }
    }

    /** Asks the target to drop the move (see TargetAbort); true when it confirmed at once. */
    private boolean abortOnTarget(String reason, boolean thawWhenDone) {
        boolean confirmed = new TargetAbort(peers, runtime, journal, moveId, req.name(), req.remote(), session)
                .deliver(reason, thawWhenDone);
        settled = confirmed || !thawWhenDone; // else the background retry ends the journal entry
        return confirmed;
    }

    static String rootMessage(Throwable e) {
        String m = e.getMessage();
        Throwable c = e;
        while ((m == null || m.isBlank()) && c.getCause() != null) {
            c = c.getCause();
            m = c.getMessage();
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** The target said no (pre-flight no-go, failed restore): a considered answer, not a broken session. */
    static final class RefusedByTarget extends IOException {
        RefusedByTarget(String message) {
            super(message);
        }
    }
}
