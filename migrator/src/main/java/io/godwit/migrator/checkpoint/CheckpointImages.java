package io.godwit.migrator.checkpoint;

import io.godwit.migrator.files.Trees;
import io.godwit.migrator.store.CheckpointStore;
import io.godwit.migrator.store.ChunkDamagedException;
import io.godwit.migrator.store.StoreManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private CheckpointImages(CheckpointManifest manifest, Path images, Path scratch, CheckpointStore store) {
        this.manifest = manifest;
        this.images = images;
        this.scratch = scratch;
        this.store = store;
    }

    static CheckpointImages verify(Path dir, CheckpointStore store, Path workDir) throws IOException, InterruptedException {
        CheckpointManifest m = ManifestIo.verify(dir);
        if (m.format() != CheckpointManifest.FORMAT_STORED) {
            return new CheckpointImages(m, dir.resolve("images"), null, null);
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
        return new CheckpointImages(m, scratch.resolve("assembly").resolve("images"), scratch, store);
    }

    CheckpointManifest manifest() {
        return manifest;
    }

    Path images() {
        return images;
    }

    @Override
    public void close() {
        if (scratch != null) {
            try {
                store.discard(scratch); // renamed away now, unlinked in the background
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot remove the assembled images " + scratch, e);
            }
        }
    }
}
