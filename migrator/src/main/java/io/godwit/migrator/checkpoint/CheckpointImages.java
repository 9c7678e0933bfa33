package io.godwit.migrator.checkpoint;

import io.godwit.migrator.files.Trees;
import io.godwit.migrator.store.CheckpointStore;
import io.godwit.migrator.store.ChunkDamagedException;
import io.godwit.migrator.store.StoreManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.godwit.criu.CriuNotifications;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A checkpoint's verified images, ready for CRIU: its own images/ (a full copy) or, when they are in
 * the store, the same files assembled from their chunks into a scratch directory, every chunk
 * checked. Either way the manifest is verified first (rootfs changes, and chunks.json by its
 * SHA-256), and any damage is a DamagedCheckpointException naming the file or chunk, raised before
 * the caller touches anything. Close it to remove the scratch copy.
 */
final class CheckpointImages implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CheckpointImages.class.getName());

    private final CheckpointManifest manifest;
    private final Path images;
    private final Path scratch;
    private final CheckpointStore store;
    /** The hashing of a full copy's images still under way beside the restore (null: all checked). */
    private final ImageCheck pending;

    private CheckpointImages(CheckpointManifest manifest, Path images, Path scratch, CheckpointStore store,
            ImageCheck pending) {
        this.manifest = manifest;
        this.images = images;
        this.scratch = scratch;
        this.store = store;
        this.pending = pending;
    }

    /** Every file checked before this returns. */
    static CheckpointImages verify(Path dir, CheckpointStore store, Path workDir) throws IOException, InterruptedException {
        return verify(dir, store, workDir, false);
    }

    /**
     * With {@code hashBesideRestore}, a full copy's CRIU images are hashed while CRIU restores them:
     * the restore must then pass {@link #gate()} to CRIU, which holds the restored tasks until the
     * hashes match. Everything else (the manifest, sizes, the rootfs changes, chunks of the store,
     * checked as they are assembled) is checked before this returns, as always.
     */
    static CheckpointImages verify(Path dir, CheckpointStore store, Path workDir, boolean hashBesideRestore)
            throws IOException, InterruptedException {
        // A stored checkpoint has no images/ entries (chunks.json is hashed here, its chunks as assembled).
        CheckpointManifest m = hashBesideRestore ? ManifestIo.verify(dir, CheckpointImages::isImage) : ManifestIo.verify(dir);
        if (m.format() != CheckpointManifest.FORMAT_STORED) {
            ImageCheck pending = hashBesideRestore
                    ? ImageCheck.start(dir, m.files().stream().filter(CheckpointImages::isImage).toList())
                    : null;
            return new CheckpointImages(m, dir.resolve("images"), null, null, pending);
        }
        StoreManifest chunks;
        try {
            chunks = CheckpointStore.manifestOf(dir);
        } catch (ChunkDamagedException e) {
            throw new DamagedCheckpointException(dir, e.getMessage());
        }
        if (chunks == null) {
            throw new DamagedCheckpointException(dir, StoreManifest.FILE + " is missing (its images are in the store)");
        }
        if (store == null) {
            throw new DamagedCheckpointException(dir, "its images are in the checkpoint store, which is not open");
        }
        Path scratch = Files.createTempDirectory(workDir, "assembled-" + dir.getFileName() + "-");
        try {
            store.assemble(chunks, scratch.resolve("assembly"));
        } catch (ChunkDamagedException e) {
            Trees.delete(scratch);
            throw new DamagedCheckpointException(dir, e.getMessage());
        } catch (IOException | InterruptedException | RuntimeException e) {
            Trees.delete(scratch);
            throw e;
        }
        return new CheckpointImages(m, scratch.resolve("assembly").resolve("images"), scratch, store, null);
    }

    private static boolean isImage(ManifestFile f) {
        return f.kind() == null && f.path().startsWith("images/");
    }

    /**
     * What CRIU's restore must be given: it holds the restored tasks at post-restore (rebuilt, not yet
     * running) until the images' hashes are known to match, and fails the restore if one does not, so
     * that CRIU kills the tree; nothing when every file was checked already.
     */
    CriuNotifications gate() {
        if (pending == null) {
            return CriuNotifications.NONE;
        }
        return new CriuNotifications() {
            @Override
            public void postRestore(int pid) throws Exception {
                pending.await();
            }
        };
    }

    /** After a failed restore: the damage the images' check found (waiting for it), or null. */
    DamagedCheckpointException damage() {
        if (pending == null) {
            return null;
        }
        try {
            return pending.damage();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot check the images of " + manifest.id(), e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Whether every image was checked and matched (always, once a restore through {@link #gate()} succeeded). */
    boolean checked() {
        return pending == null || pending.passed();
    }

    CheckpointManifest manifest() {
        return manifest;
    }

    Path images() {
        return images;
    }

    @Override
    public void close() {
        if (pending != null) {
            pending.close();
        }
        if (scratch != null) {
            try {
                store.discard(scratch); // renamed away now, unlinked in the background
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot remove the assembled images " + scratch, e);
            }
        }
    }
}
