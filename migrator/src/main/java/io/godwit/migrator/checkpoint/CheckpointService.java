package io.godwit.migrator.checkpoint;

import io.godwit.criu.CriuCancel;
import io.godwit.criu.CriuClient;
import io.godwit.criu.CriuException;
import io.godwit.criu.CriuNotifications;
import io.godwit.criu.CriuOptions;
import io.godwit.criu.CriuSocket;
import io.godwit.criu.CriuVersion;
import io.godwit.criu.RestoreResult;
import io.godwit.migrator.api.ApiException;
import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.catalog.CheckpointRecord;
import io.godwit.migrator.files.Trees;
import io.godwit.migrator.ops.ContainerClaims;
import io.godwit.migrator.ops.Operation;
import io.godwit.runtime.CheckpointTarget;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.ContainerSpec;
import io.godwit.runtime.ContainerState;
import io.godwit.runtime.RestoreLaunch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Local checkpoints and restores. A checkpoint directory holds CRIU's images (images/), the
 * container's own rootfs changes (rootfs/), and manifest.json, written last: a directory without a
 * manifest.json is a dump that never finished and is discarded at start (CheckpointRecovery).
 */
public final class CheckpointService {
    private static final Logger LOG = Logger.getLogger(CheckpointService.class.getName());
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final ContainerRuntime runtime;
    private final CriuClient criu;
    private final Catalog catalog;
    private final Path checkpointsDir;
    private final Path workDir;
    private final ContainerClaims claims = new ContainerClaims();
    private final CpuInfoImage cpuInfo;
    private final CriuVersionOnce criuVersion;
    /** Where images go as chunks (null: full copies only); see {@link #useStore}. */
    private io.godwit.migrator.store.CheckpointStore store;

    public CheckpointService(ContainerRuntime runtime, CriuClient criu, Catalog catalog, Path checkpointsDir, Path workDir)
            throws IOException {
        this.runtime = runtime;
        this.criu = criu;
        this.catalog = catalog;
        this.checkpointsDir = Files.createDirectories(checkpointsDir);
        this.workDir = Files.createDirectories(workDir);
        this.cpuInfo = new CpuInfoImage(criu);
        this.criuVersion = new CriuVersionOnce(criu);
    }

    /**
     * Keeps the images of new checkpoints as chunks in this store when it is enabled, and reads
     * checkpoints already there whatever its setting. Call once, before {@link #reconcile()}.
     */
    public void useStore(io.godwit.migrator.store.CheckpointStore store) {
        this.store = store;
    }

    public io.godwit.migrator.store.CheckpointStore store() {
        return store;
    }

    public Path checkpointsDir() {
        return checkpointsDir;
    }

    /**
     * Claims a container for a checkpoint or restore (one at a time per container; a second is a
     * 409). Take it before starting the operation and hand it to the operation.
     */
    public ContainerClaims.Claim claim(String name, String what) {
        return claims.claim(name, what);
    }

    public Path dirOf(String id) {
        return checkpointsDir.resolve(id);
    }

    /** Checks synchronously what can be checked before an operation is started (a 409, not a failed operation). */
    public void requireRunning(String name) throws IOException {
        ContainerState s = runtime.state(name);
        if (s.status() != ContainerState.Status.RUNNING) {
            throw ApiException.conflict("container " + name + " is " + s.status() + ": only a running container can be checkpointed");
        }
    }

    /**
     * Dumps a running container. The container is frozen for the whole dump and the copy of its
     * rootfs changes, so that memory and files are of the same instant; every failure thaws it.
     * With {@code stop}, the container is stopped only once the checkpoint is complete on disk.
     */
    public CheckpointRecord checkpoint(String name, boolean stop, Operation op) throws Exception {
        return checkpoint(name, stop, CheckpointRecord.MadeBy.HAND, op);
    }

    /** As {@link #checkpoint(String, boolean, Operation)}, recording who made it (retention prunes only its own). */
    public CheckpointRecord checkpoint(String name, boolean stop, CheckpointRecord.MadeBy madeBy, Operation op)
            throws Exception {
        requireRunning(name);
        String id = ID_TIME.format(Instant.now()) + "-" + UUID.randomUUID().toString().substring(0, 6);
        Path dir = io.godwit.runtime.PrivateFiles.directory(dirOf(id)); // the container's memory: root only
        Path images = Files.createDirectories(dir.resolve("images"));
        Path logs = Files.createDirectories(dir.resolve("logs"));
        CriuVersion version = criuVersion.get();
        String kernel = System.getProperty("os.version");
        CheckpointRecord record = new CheckpointRecord(id, name, Instant.now(), CheckpointRecord.State.WRITING, 0,
                !stop, version.toString(), kernel, madeBy);
        catalog.insertCheckpoint(record);
        boolean paused = false;
        boolean complete = false;
        boolean intoStore = store != null && store.enabled();
        // The pages are hashed (full copies) or stored as chunks (the store) as CRIU writes them, not after.
        // The store's write hold keeps its GC from chunks this checkpoint names before chunks.json does.
        io.godwit.migrator.store.CheckpointStore.Hold writing = intoStore ? store.holdForWriting() : null;
        io.godwit.migrator.store.CheckpointStore.Following storing = intoStore ? store.follow(images, name) : null;
        DumpHasher hasher = intoStore ? null : DumpHasher.follow(images);
        try {
            CheckpointTarget target = runtime.checkpointTarget(name);
            op.phase("freeze");
            DumpHold hold = DumpHold.begin(runtime, name, target);
            paused = hold.frozen();
            op.phase("dump");
            CriuCancel cancel = new CriuCancel();
            try (var registration = op.onCancel(cancel::cancel)) {
                criu.dump(hold.options(images, logs).build(), hold.notifications(CriuNotifications.NONE), cancel);
            } catch (CriuException e) {
                throw DumpAdvice.explain(name, "checkpoint", e);
            } finally {
                paused = hold.frozen();
            }
            op.phase("rootfs");
            Trees.copy(runtime.changesDir(name), dir.resolve("rootfs"));
            if (stop) {
                UpperStamp.record(dir, runtime.changesDir(name)); // still frozen: nothing writes
            }
            if (!stop) {
                // Memory and files are saved, of one instant: the container need not wait for the hashing.
                runtime.resume(name);
                paused = false;
            }
            cpuInfo.writeInto(images, version);
            io.godwit.runtime.PrivateFiles.restrictTree(images); // CRIU writes its images 0644
            List<ManifestFile> files = new java.util.ArrayList<>();
            long imageBytes = 0;
            int format = CheckpointManifest.FORMAT;
            if (intoStore) {
                // Images into the store, chunks.json beside the manifest (and in it, with its SHA-256).
                op.phase("store");
                imageBytes = storing.finish(dir).manifest().size();
                storing.close();
                writing.close();
                writing = null;
                store.discard(images); // renamed away now, unlinked in the background
                Path list = dir.resolve(io.godwit.migrator.store.StoreManifest.FILE);
                files.add(new ManifestFile(list.getFileName().toString(), Files.size(list), ManifestIo.sha256(list)));
                format = CheckpointManifest.FORMAT_STORED;
            }
            op.phase("manifest");
            if (hasher != null) {
                files.addAll(hasher.finish());
                files.addAll(ManifestIo.hashTree(dir, List.of("rootfs")));
            } else {
                files.addAll(ManifestIo.hashTree(dir, List.of("images", "rootfs")));
            }
            long size = files.stream().mapToLong(ManifestFile::size).sum() + imageBytes;
            ContainerState state = runtime.state(name);
            ManifestIo.write(dir, new CheckpointManifest(format, id, name, record.createdAt(),
                    version.toString(), kernel, state.imageFingerprint(), target.spec(), target.stdioPipes(),
                    target.externalMounts(), !stop, files));
            catalog.completeCheckpoint(id, size);
            complete = true;
            if (stop) {
                // The checkpoint is whole on disk: only now may the container go.
                op.phase("stop");
                runtime.kill(name, 9);
                paused = false;
                try {
                    runtime.resume(name); // a frozen task takes its SIGKILL only once thawed
                } catch (IllegalStateException alreadyStopped) {
                    // the kill was quicker: nothing left to thaw
                }
                awaitStopped(name);
            }
            return catalog.checkpoint(id).orElseThrow();
        } catch (Exception | Error e) {
            if (!complete) {
                discard(id);
            }
            throw e;
        } finally {
            if (hasher != null) {
                hasher.close();
            }
            if (storing != null) {
                storing.close();
            }
            if (writing != null) {
                writing.close();
            }
            if (paused) {
                try {
                    runtime.resume(name);
                } catch (RuntimeException | IOException e) {
                    LOG.log(Level.SEVERE, "cannot thaw " + name + " after its checkpoint", e);
                }
            }
        }
    }

    private void awaitStopped(String name) throws IOException, InterruptedException {
        for (int i = 0; i < 500; i++) { // 5 s; polled finely: the kill is usually over in a few ms
            if (runtime.state(name).status() == ContainerState.Status.STOPPED) {
                return;
            }
            Thread.sleep(10);
        }
        throw new IOException("container " + name + " did not stop after its checkpoint");
    }

    /** Removes a checkpoint's directory and row, then the chunks only it held; used for failed dumps and by retention. */
    public void discard(String id) {
        try {
            Trees.delete(dirOf(id));
            catalog.deleteCheckpoint(id);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "cannot remove checkpoint " + id, e);
            return;
        }
        collectGarbage();
    }

    /** Frees the store's chunks no checkpoint names; a failure only delays that to the next deletion or start. */
    public void collectGarbage() {
        if (store == null) {
            return;
        }
        try {
            store.collectGarbage(checkpointsDir);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "store: garbage collection failed, unused chunks stay until the next one", e);
        }
    }

    /** The checkpoint to restore: the given one, or the newest complete one of the container. */
    public CheckpointRecord pick(String name, String id) throws Exception {
        if (id != null && !id.isEmpty()) {
            CheckpointRecord r = catalog.checkpoint(id).orElseThrow(() -> ApiException.notFound("checkpoint", id));
            if (!r.container().equals(name)) {
                throw ApiException.notFound("checkpoint", name + "/" + id);
            }
            return r;
        }
        return catalog.checkpointsOf(name).stream().filter(r -> r.state() == CheckpointRecord.State.COMPLETE)
                .findFirst().orElseThrow(() -> ApiException.notFound("checkpoint of container", name));
    }

    /**
     * Restores a checkpoint as container {@code newName} (which must not be running): verifies the
     * manifest, makes a fresh rootfs from the image plus the saved changes, and restores through the
     * container's monitor. On failure the half-made container is removed again, and a stopped
     * container the restore was to replace is given back as it was (the checkpoint is never touched).
     */
    public ContainerState restore(CheckpointRecord record, String newName, boolean replaceStopped, Operation op)
            throws Exception {
        Path dir = dirOf(record.id());
        op.phase("verify");
        // The images are hashed beside CRIU's restore, which waits for the result before any task runs.
        try (CheckpointImages verified = CheckpointImages.verify(dir, store, workDir, true)) {
            ContainerState restored;
            try {
                restored = restoreVerified(record, verified, newName, replaceStopped, op);
            } catch (Exception | Error e) {
                DamagedCheckpointException damage = verified.damage();
                if (damage != null) { // the cause, whatever CRIU made of the damaged image
                    damage.addSuppressed(e);
                    throw damage;
                }
                throw e;
            }
            if (!verified.checked()) { // CRIU always sends post-restore; should it not, say so loudly
                LOG.severe("restored " + newName + " from checkpoint " + record.id()
                        + " without CRIU waiting for its images' check");
            }
            return restored;
        }
    }

    private ContainerState restoreVerified(CheckpointRecord record, CheckpointImages verified, String newName,
            boolean replaceStopped, Operation op) throws Exception {
        Path dir = dirOf(record.id());
        CheckpointManifest manifest = verified.manifest();
        if (replaceStopped && untouchedSince(record, newName)) {
            LOG.info("restoring " + newName + " in place from checkpoint " + record.id()
                    + ": its change layer is as the checkpoint left it");
            return restoreInto(newName, verified.images(), manifest.stdioPipes(), op, "checkpoint " + record.id(), null,
                    null, verified.gate(), false);
        }
        // Only a checkpoint known to be whole may replace what is there, and only once it runs.
        ContainerRuntime.SetAside replaced = null;
        if (replaceStopped && holdsName(newName)) {
            replaced = runtime.setAside(newName);
        }
        ContainerState restored;
        try {
            restored = restoreImages(newName, manifest.spec(), verified.images(), dir.resolve("rootfs"),
                    manifest.stdioPipes(), op, "checkpoint " + record.id(), null, null, verified.gate());
        } catch (Exception | Error e) {
            if (replaced != null) {
                try {
                    runtime.putBack(replaced);
                } catch (IOException | RuntimeException putBack) {
                    e.addSuppressed(putBack);
                }
            }
            throw e;
        }
        if (replaced != null) {
            try {
                runtime.discardSetAside(replaced);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "restored " + newName + ", but cannot remove the container it replaced ("
                        + replaced.dir() + ")", e);
            }
        }
        return restored;
    }

    /**
     * Whether the stopped container name is the one this checkpoint stopped, with its change layer
     * untouched since (see UpperStamp): then it is restored onto that layer, not a copy of it.
     */
    private boolean untouchedSince(CheckpointRecord record, String name) {
        try {
            if (!record.container().equals(name) || !holdsName(name)
                    || runtime.state(name).status() != ContainerState.Status.STOPPED) {
                return false;
            }
            var stamp = UpperStamp.recorded(dirOf(record.id()));
            return stamp.isPresent() && stamp.get().equals(UpperStamp.of(runtime.changesDir(name)));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "cannot tell whether " + name + " is untouched since " + record.id() + "; copying", e);
            return false;
        }
    }

    /**
     * Warm start: the clones from one checkpoint, restored concurrently, each with its own rootfs,
     * cgroup, monitor and identity ({@link CloneIdentity}: host name, address, /run/godwit/restored).
     * The manifest is verified once for all of them (hashing the images once per clone made 32 clones
     * hash 32 times the same bytes). Returns, per name that failed, why; the others run.
     */
    public Map<String, Throwable> launchClones(CheckpointRecord record, List<CloneIdentity> clones, Operation op)
            throws Exception {
        Path dir = dirOf(record.id());
        op.phase("verify");
        Map<String, java.util.concurrent.Future<ContainerState>> started = new LinkedHashMap<>();
        try (CheckpointImages verified = CheckpointImages.verify(dir, store, workDir);
                var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            CheckpointManifest manifest = verified.manifest();
            Map<CloneIdentity, ContainerSpec> specs = new LinkedHashMap<>();
            for (CloneIdentity c : clones) {
                specs.put(c, c.specFrom(manifest.spec())); // a bridged template without addresses: none starts
            }
            for (var e : specs.entrySet()) {
                CloneIdentity c = e.getKey();
                started.put(c.name(), pool.submit(() -> restoreImages(c.name(), e.getValue(), verified.images(),
                        dir.resolve("rootfs"), manifest.stdioPipes(), op, "checkpoint " + record.id(), null, c,
                        CriuNotifications.NONE)));
            }
        }
        Map<String, Throwable> failed = new LinkedHashMap<>();
        for (var e : started.entrySet()) {
            try {
                e.getValue().get();
            } catch (java.util.concurrent.ExecutionException x) {
                failed.put(e.getKey(), x.getCause());
            }
        }
        return failed;
    }

    /**
     * Makes container newName from a spec and its saved rootfs changes, and restores CRIU's images
     * into it through its monitor. Used by local restores and by moves arriving from a peer. On
     * failure the half-made container is removed again and the CRIU log is kept.
     *
     * @param stdioPipes "stdout"/"stderr" to the pipe inode CRIU saw at dump time
     * @param from       what the images are, for messages ("checkpoint X", "move Y from host")
     * @param lazyWorkDir null, or (post-copy) the work directory of the lazy-pages daemon that
     *                   serves the memory: CRIU restores without pages and finds it there
     */
    public ContainerState restoreImages(String newName, ContainerSpec spec, Path imagesDir, Path changesDir,
            Map<String, String> stdioPipes, Operation op, String from, Path lazyWorkDir) throws Exception {
        return restoreImages(newName, spec, imagesDir, changesDir, stdioPipes, op, from, lazyWorkDir, null,
                CriuNotifications.NONE);
    }

    /**
     * As above; {@code clone} non-null for a warm start: the clone takes its own identity before it
     * runs; {@code gate}: CRIU's notifications of a restore whose images are still being checked
     * (see {@link CheckpointImages#gate()}), NONE otherwise.
     */
    ContainerState restoreImages(String newName, ContainerSpec spec, Path imagesDir, Path changesDir,
            Map<String, String> stdioPipes, Operation op, String from, Path lazyWorkDir, CloneIdentity clone,
            CriuNotifications gate) throws Exception {
        op.phase("rootfs");
        Path changes = Files.createTempDirectory(workDir, "changes-");
        try {
            Trees.copy(changesDir, changes);
            runtime.create(newName, spec, changes);
        } finally {
            Trees.delete(changes);
        }
        return restoreInto(newName, imagesDir, stdioPipes, op, from, lazyWorkDir, clone, gate, true);
    }

    /**
     * Restores CRIU's images into the existing (created, or stopped) container newName through its
     * monitor. On failure the restore is undone; a container made for it (made) is removed again,
     * one restored in place stays as it was, stopped.
     */
    private ContainerState restoreInto(String newName, Path imagesDir, Map<String, String> stdioPipes, Operation op,
            String from, Path lazyWorkDir, CloneIdentity clone, CriuNotifications gate, boolean made) throws Exception {
        runtime.shareImagesWithContainer(newName, imagesDir); // a user namespace's root reads some images itself
        Path logs = lazyWorkDir != null ? lazyWorkDir : Files.createTempDirectory(workDir, "restore-");
        // a warm start shows its restore in finer phases (moves keep "restore" whole: their benches compare it)
        op.phase(clone == null ? "restore" : "monitor");
        try (CriuSocket socket = CriuSocket.pair()) {
            if (clone != null) {
                clone.beforeRestore(runtime);
            }
            RestoreLaunch launch = runtime.launchRestore(newName, socket.peerFd());
            if (clone != null) {
                op.phase("restore");
            }
            try {
                CriuOptions.Builder opts = RestoreOptions.of(launch, imagesDir, logs, stdioPipes, lazyWorkDir != null);
                CriuCancel cancel = new CriuCancel();
                RestoreResult result;
                try (var registration = op.onCancel(cancel::cancel)) {
                    result = criu.restoreOver(socket, opts.build(),
                            clone == null ? gate : clone.notifications(runtime), cancel);
                }
                if (clone != null) {
                    op.phase("adopt");
                }
                ContainerState state = runtime.adoptRestored(newName, result.pid());
                if (lazyWorkDir == null) {
                    Trees.delete(logs);
                }
                return state;
            } catch (Exception | Error e) {
                runtime.abortRestore(newName);
                if (made) {
                    runtime.delete(newName, true);
                }
                throw new IOException("restore of " + newName + " from " + from + " failed (CRIU log kept in "
                        + logs + ")" + (made ? "" : "; it is stopped, as before"), e);
            }
        } catch (IOException | RuntimeException e) {
            if (made && holdsName(newName)) { // not list(): it also shows a container set aside for this restore
                runtime.delete(newName, true); // the monitor could not even start
            }
            throw e;
        }
    }

    /**
     * A schedule's retention: keeps the newest {@code keep} complete checkpoints its schedule made,
     * deleting older ones of those. Checkpoints made by hand (or by nobody known) are never touched.
     */
    public int prune(String name, int keep) throws Exception {
        List<CheckpointRecord> all = catalog.checkpointsOf(name).stream()
                .filter(r -> r.state() == CheckpointRecord.State.COMPLETE)
                .filter(r -> r.madeBy() == CheckpointRecord.MadeBy.SCHEDULE).toList();
        int removed = 0;
        for (int i = keep; i < all.size(); i++) {
            discard(all.get(i).id());
            removed++;
        }
        return removed;
    }

    /**
     * At start: takes back every checkpoint whose manifest verifies (a reset or new catalog loses
     * none), discards only dumps that never finished, keeps damaged ones on disk; see CheckpointRecovery.
     */
    public CheckpointRecovery.Summary reconcile() throws Exception {
        CheckpointRecovery.Summary summary = new CheckpointRecovery(catalog, checkpointsDir, this::thawAfterCrash, store).run();
        collectGarbage(); // chunks of dumps cut short, or of a deletion or GC the daemon did not finish
        return summary;
    }

    /** A daemon that died mid-checkpoint left its container frozen by our pause: it must run again. */
    private void thawAfterCrash(String container) {
        try {
            if (runtime.state(container).status() == ContainerState.Status.PAUSED) {
                runtime.resume(container);
                LOG.warning("thawed " + container + ": the daemon stopped during its checkpoint");
            }
        } catch (RuntimeException | IOException e) {
            LOG.log(Level.WARNING, "cannot thaw " + container + " after an interrupted checkpoint", e);
        }
    }

    public static Map<String, Object> describe(CheckpointRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("container", r.container());
        m.put("createdAt", r.createdAt().toString());
        m.put("sizeBytes", r.sizeBytes());
        m.put("leftRunning", r.leftRunning());
        m.put("criuVersion", r.criuVersion());
        m.put("kernel", r.kernel());
        m.put("state", r.state().name().toLowerCase());
        m.put("madeBy", r.madeBy().word());
        return m;
    }

    /** Whether a live container directory holds the name (a set-aside one, listed too, does not). */
    private boolean holdsName(String name) throws IOException {
        try {
            runtime.state(name);
            return true;
        } catch (io.godwit.runtime.NoSuchContainerException e) {
            return false;
        }
    }
}
