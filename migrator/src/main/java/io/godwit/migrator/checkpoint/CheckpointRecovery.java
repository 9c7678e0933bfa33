package io.godwit.migrator.checkpoint;

import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.catalog.CheckpointRecord;
import io.godwit.migrator.files.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Brings the catalog and checkpoints/ into agreement at start, trusting the disk over the catalog: a
 * directory whose manifest.json verifies is a checkpoint whatever the catalog says (a reset or new
 * catalog gets it back). Only what is provably incomplete is deleted: a directory without
 * manifest.json, which a dump writes last, atomically. A manifest that does not verify is damage,
 * not a half-written dump: the directory is kept for a person to look at, and not offered for restores.
 */
public final class CheckpointRecovery {
    private static final Logger LOG = Logger.getLogger(CheckpointRecovery.class.getName());

    /** What the start found: checkpoints taken back from their manifests, half-written ones deleted, damaged ones kept aside. */
    public record Summary(int rebuilt, int discarded, int damaged) {
        @Override
        public String toString() {
            return rebuilt + " checkpoints rebuilt from their manifests, " + discarded + " half-written discarded, "
                    + damaged + " damaged kept on disk";
        }
    }

    private final Catalog catalog;
    private final Path checkpointsDir;
    private final Consumer<String> thawAfterCrash;
    private final io.godwit.migrator.store.CheckpointStore store;
    private int rebuilt;
    private int discarded;
    private int damaged;

    CheckpointRecovery(Catalog catalog, Path checkpointsDir, Consumer<String> thawAfterCrash,
            io.godwit.migrator.store.CheckpointStore store) {
        this.store = store;
        this.catalog = catalog;
        this.checkpointsDir = checkpointsDir;
        this.thawAfterCrash = thawAfterCrash;
    }

    Summary run() throws Exception {
        for (CheckpointRecord r : catalog.allCheckpoints()) {
            Path dir = checkpointsDir.resolve(r.id());
            if (r.state() == CheckpointRecord.State.WRITING) {
                thawAfterCrash.accept(r.container());
                settleUnfinished(r, dir);
            } else if (!Files.isDirectory(dir)) {
                catalog.deleteCheckpoint(r.id()); // nothing on disk to lose
                LOG.warning("checkpoint " + r.id() + " of " + r.container() + " is in the catalog but not on disk: forgotten");
            }
        }
        try (var dirs = Files.list(checkpointsDir)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                String id = d.getFileName().toString();
                if (catalog.checkpoint(id).isEmpty()) {
                    adopt(id, d);
                }
            }
        }
        return new Summary(rebuilt, discarded, damaged);
    }

    /** A row still WRITING: the dump was cut short, or the daemon died between manifest and row. */
    private void settleUnfinished(CheckpointRecord r, Path dir) throws Exception {
        if (!Files.isRegularFile(dir.resolve(ManifestIo.FILE))) {
            discard(r.id(), dir, "its dump was cut short (no manifest.json)");
            return;
        }
        catalog.deleteCheckpoint(r.id());
        adopt(r.id(), dir);
    }

    /** A directory the catalog lacks: a checkpoint if its manifest verifies and names it. */
    private void adopt(String id, Path dir) throws Exception {
        if (!Files.isRegularFile(dir.resolve(ManifestIo.FILE))) {
            discard(id, dir, "it has no manifest.json: a dump that never finished");
            return;
        }
        CheckpointManifest m;
        try {
            m = ManifestIo.verify(dir);
        } catch (DamagedCheckpointException e) {
            keepDamaged(dir, e.getMessage());
            return;
        }
        if (!id.equals(m.id()) || m.container() == null || m.createdAt() == null) {
            keepDamaged(dir, "its manifest names checkpoint " + m.id() + " of " + m.container());
            return;
        }
        long size = m.files().stream().mapToLong(ManifestFile::size).sum();
        if (m.format() == CheckpointManifest.FORMAT_STORED) {
            // Every chunk there (each is checked against its digest when a restore reads it).
            try {
                var chunks = io.godwit.migrator.store.CheckpointStore.manifestOf(dir);
                if (chunks == null || store == null) {
                    keepDamaged(dir, chunks == null ? "chunks.json is missing" : "its images are in a store not open");
                    return;
                }
                store.checkPresent(chunks);
                size += chunks.size();
            } catch (io.godwit.migrator.store.ChunkDamagedException e) {
                keepDamaged(dir, e.getMessage());
                return;
            }
        }
        catalog.insertCheckpoint(new CheckpointRecord(id, m.container(), m.createdAt(), CheckpointRecord.State.COMPLETE,
                size, m.leftRunning(), m.criuVersion(), m.kernel(), CheckpointRecord.MadeBy.HAND));
        rebuilt++;
        LOG.info("checkpoint " + id + " of " + m.container() + " taken back into the catalog from its verified manifest");
    }

    private void discard(String id, Path dir, String why) {
        try {
            Trees.delete(dir);
            catalog.deleteCheckpoint(id);
            discarded++;
            LOG.warning("discarded checkpoint directory " + dir + ": " + why);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "cannot remove the half-written checkpoint " + dir, e);
        }
    }

    private void keepDamaged(Path dir, String why) {
        damaged++;
        LOG.warning("checkpoint directory " + dir + " is damaged (" + why + "): kept on disk, not offered for restores;"
                + " look at it, then delete it by hand");
    }
}
