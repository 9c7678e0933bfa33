package io.godwit.migrator.checkpoint;

import io.godwit.migrator.api.ApiException;
import io.godwit.migrator.api.Json;
import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.catalog.CheckpointRecord;
import io.godwit.migrator.files.Trees;
import io.godwit.migrator.store.ArchiveWriter;
import io.godwit.migrator.store.CheckpointStore;
import io.godwit.migrator.store.ChunkDamagedException;
import io.godwit.migrator.store.StoreManifest;
import io.godwit.runtime.ContainerName;
import io.godwit.runtime.HostCommand;
import io.godwit.runtime.image.TarMemberCheck;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code godwit checkpoint export} and {@code import}: a checkpoint as one archive file (see
 * {@link ArchiveWriter}) that another daemon verifies chunk by chunk and as a whole, then keeps in
 * its own store under its own names (and key), ready to restore or warm-start from.
 */
public final class CheckpointTransfer {
    private static final Pattern ID = Pattern.compile("[0-9A-Za-z][0-9A-Za-z._-]{0,63}");
    private static final List<String> TAR_KEEP = List.of("--numeric-owner", "--xattrs", "--xattrs-include=*",
            "--acls", "--sparse");

    private final CheckpointService checkpoints;
    private final Catalog catalog;
    private final Path workDir;

    public CheckpointTransfer(CheckpointService checkpoints, Catalog catalog, Path workDir) {
        this.checkpoints = checkpoints;
        this.catalog = catalog;
        this.workDir = workDir;
    }

    /** Writes checkpoint {@code record} to file (via file.part, renamed once whole). */
    public long export(CheckpointRecord record, Path file) throws Exception {
        Path dir = checkpoints.dirOf(record.id());
        CheckpointManifest m = ManifestIo.verify(dir);
        CheckpointStore store = checkpoints.store();
        Path scratch = Files.createTempDirectory(workDir, "export-");
        Path part = file.resolveSibling(file.getFileName() + ".part");
        try {
            StoreManifest chunks;
            CheckpointStore.Hold hold = store.holdForWriting();
            try {
                if (m.format() == CheckpointManifest.FORMAT_STORED) {
                    chunks = CheckpointStore.manifestOf(dir);
                    if (chunks == null) {
                        throw new DamagedCheckpointException(dir, StoreManifest.FILE + " is missing");
                    }
                } else {
                    // A full copy: its images go through the store for the export; GC takes them back after.
                    chunks = store.ingest(dir.resolve("images"), scratch).manifest();
                }
                Path tar = scratch.resolve("rootfs.tar");
                HostCommand.run(tarCommand("-c", tar, dir.resolve("rootfs")));
                try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(part), 1 << 20);
                        ArchiveWriter w = new ArchiveWriter(os)) {
                    w.manifest(Files.readAllBytes(dir.resolve(ManifestIo.FILE)));
                    store.export(chunks, w);
                    w.rootfs(tar);
                    w.finish();
                }
            } catch (ChunkDamagedException e) {
                throw new DamagedCheckpointException(dir, e.getMessage());
            } finally {
                hold.close();
            }
            Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return Files.size(file);
        } finally {
            Files.deleteIfExists(part);
            Trees.delete(scratch);
            if (m.format() != CheckpointManifest.FORMAT_STORED) {
                checkpoints.collectGarbage();
            }
        }
    }

    /**
     * Brings the checkpoint in file into this daemon under its own id: every chunk and the whole file
     * verified, the rootfs changes checked member by member before tar extracts them, then the
     * manifest verified as for any restore. Whatever fails leaves nothing behind.
     */
    public CheckpointRecord importArchive(Path file) throws Exception {
        CheckpointStore store = checkpoints.store();
        Path scratch = Files.createTempDirectory(workDir, "import-");
        Path dir = null;
        boolean done = false;
        try (CheckpointStore.Hold hold = store.holdForWriting()) {
            CheckpointStore.Imported in;
            try (InputStream is = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
                in = store.importArchive(is, scratch);
            } catch (IOException e) {
                throw ApiException.badRequest("cannot import " + file + ": " + e.getMessage());
            }
            CheckpointManifest source = Json.MAPPER.readValue(in.manifest(), CheckpointManifest.class);
            if (source.id() == null || !ID.matcher(source.id()).matches() || source.container() == null
                    || source.createdAt() == null) {
                throw ApiException.badRequest("cannot import " + file + ": its manifest names checkpoint '"
                        + source.id() + "' of '" + source.container() + "'");
            }
            ContainerName.validate(source.container());
            if (catalog.checkpoint(source.id()).isPresent() || Files.exists(checkpoints.dirOf(source.id()))) {
                throw ApiException.conflict("checkpoint " + source.id() + " is already here");
            }
            dir = io.godwit.runtime.PrivateFiles.directory(checkpoints.dirOf(source.id()));
            CheckpointStore.writeManifest(dir, in.chunks());
            Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
            TarMemberCheck.check(in.rootfsTar());
            HostCommand.run(tarCommand("-x", in.rootfsTar(), rootfs));
            Path list = dir.resolve(StoreManifest.FILE);
            List<ManifestFile> files = new ArrayList<>();
            files.add(new ManifestFile(StoreManifest.FILE, Files.size(list), ManifestIo.sha256(list)));
            source.files().stream().filter(f -> f.path().startsWith("rootfs/")).forEach(files::add);
            ManifestIo.write(dir, new CheckpointManifest(CheckpointManifest.FORMAT_STORED, source.id(),
                    source.container(), source.createdAt(), source.criuVersion(), source.kernel(),
                    source.imageFingerprint(), source.spec(), source.stdioPipes(), source.volumes(),
                    source.leftRunning(), files));
            CheckpointManifest m = ManifestIo.verify(dir);
            long size = m.files().stream().mapToLong(ManifestFile::size).sum() + in.chunks().size();
            catalog.insertCheckpoint(new CheckpointRecord(m.id(), m.container(), m.createdAt(),
                    CheckpointRecord.State.COMPLETE, size, m.leftRunning(), m.criuVersion(), m.kernel(),
                    CheckpointRecord.MadeBy.HAND));
            done = true;
            return catalog.checkpoint(m.id()).orElseThrow();
        } finally {
            Trees.delete(scratch);
            if (!done) {
                if (dir != null) {
                    Trees.delete(dir);
                }
                checkpoints.collectGarbage(); // the chunks this import brought and nobody names
            }
        }
    }

    private static List<String> tarCommand(String mode, Path tar, Path dir) {
        List<String> cmd = new ArrayList<>(List.of("tar", mode, "-f", tar.toString(), "-C", dir.toString()));
        cmd.addAll(TAR_KEEP);
        if (mode.equals("-c")) {
            cmd.add(".");
        } else {
            cmd.add("--same-permissions");
        }
        return cmd;
    }
}
