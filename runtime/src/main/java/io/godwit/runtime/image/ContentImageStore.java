package io.godwit.runtime.image;

import io.godwit.runtime.HostCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Images stored by content under a root directory (DESIGN: images/FINGERPRINT/):
 *
 * <pre>
 * ROOT/FINGERPRINT/rootfs/        the unpacked tree, never written after import
 * ROOT/FINGERPRINT/image.json     aliases, size, import time, OCI config defaults
 * ROOT/FINGERPRINT/users/KEY      one file per container rootfs made from it (its containerDir)
 * </pre>
 *
 * The fingerprint is {@link TreeFingerprint}'s SHA-256 of the unpacked tree, so a directory and a
 * tarball of the same content give the same image. Imports unpack into ROOT/.import-UUID and rename
 * it into place, so a crash never leaves a half image under a fingerprint.
 *
 * <p>Container rootfs: overlay by default, the image rootfs as lowerdir, containerDir/upper and
 * containerDir/work, mounted at containerDir/rootfs. Chosen after checking on this project's
 * machines (kernel 6.18, CRIU 4.1.1) that CRIU dumps a container pivot_root'ed into such an
 * overlay (own pid/mnt/uts/ipc/net namespaces, open files on both lower and upper layers) and
 * restores it with {@code --root} on the same overlay unmounted and mounted again (as after a
 * reboot, or on another host holding the same image): the restored process ran on with its files
 * and its exe resolved. A copy ({@link RootfsMode#COPY}) passed the same probe and stays available
 * for hosts whose store is itself on overlayfs (no upperdir there); it costs a full copy per
 * container and sends the whole tree as "changes".
 */
public final class ContentImageStore implements ImageStore {

    private static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:+-]{0,127}");
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern PREFIX = Pattern.compile("[0-9a-f]{12,64}");
    private static final int MIN_PREFIX = 12;

    private final Path root;
    private final RootfsMode mode;

    public ContentImageStore(Path root) throws IOException {
        this(root, RootfsMode.OVERLAY);
    }

    public ContentImageStore(Path root, RootfsMode mode) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.mode = mode;
        Files.createDirectories(this.root);
        removeLeftovers();
    }

    public Path root() {
        return root;
    }

    @Override
    public synchronized ImageInfo importImage(String alias, Path source) throws IOException {
        return importImage(alias, source, null);
    }

    /**
     * Imports a root filesystem (directory or tarball) or an image (OCI layout directory, OCI
     * archive, docker-archive: see {@link OciImport}) under an alias. The same content imported
     * again keeps its aliases and gains this one; an alias that named other content moves here.
     * {@code defaults} (a published container's image config) applies when the source has none.
     */
    @Override
    public synchronized ImageInfo importImage(String alias, Path source, ImageConfig defaults) throws IOException {
        validateAlias(alias);
        Path temp = root.resolve(".import-" + UUID.randomUUID());
        Path rootfs = temp.resolve("rootfs");
        Path scratch = root.resolve(".import-" + UUID.randomUUID());
        try {
            Files.createDirectories(rootfs);
            ImageConfig config = defaults;
            if (OciImport.isImage(source)) {
                Files.createDirectories(scratch);
                config = OciImport.unpack(source, rootfs, scratch);
            } else {
                unpack(source, rootfs);
            }
            TreeFingerprint.Result content = TreeFingerprint.of(rootfs);
            Path imageDir = root.resolve(content.fingerprint());
            takeAliasFromOthers(alias, content.fingerprint());
            if (Files.isDirectory(imageDir)) {
                ImageInfo existing = ImageRecord.read(imageDir).info();
                ImageInfo updated = existing.withAliases(plus(existing.aliases(), alias));
                if (config != null) {
                    updated = updated.withConfig(config); // the newest import's defaults win
                }
                ImageRecord.of(updated).write(imageDir);
                return updated;
            }
            ImageInfo info = new ImageInfo(content.fingerprint(), alias, content.sizeBytes(),
                    Instant.now().truncatedTo(ChronoUnit.MILLIS), null, config);
            Files.createDirectories(temp.resolve("users"));
            ImageRecord.of(info).write(temp);
            Files.move(temp, imageDir, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.fsyncDir(root);
            return info;
        } finally {
            AtomicFiles.deleteTree(temp);
            AtomicFiles.deleteTree(scratch);
        }
    }

    @Override
    public synchronized ImageInfo addAlias(String aliasOrFingerprint, String alias) throws IOException {
        validateAlias(alias);
        ImageInfo image = require(aliasOrFingerprint);
        takeAliasFromOthers(alias, image.fingerprint());
        ImageInfo updated = image.withAliases(plus(image.aliases(), alias));
        ImageRecord.of(updated).write(root.resolve(image.fingerprint()));
        return updated;
    }

    @Override
    public synchronized ImageInfo removeAlias(String alias) throws IOException {
        for (ImageInfo image : list()) {
            if (image.aliases().contains(alias)) {
                ImageInfo updated = image.withAliases(minus(image.aliases(), alias));
                ImageRecord.of(updated).write(root.resolve(image.fingerprint()));
                return updated;
            }
        }
        throw new NoSuchFileException(root.toString(), null, "no image alias " + alias);
    }

    @Override
    public synchronized long export(String aliasOrFingerprint, Path file) throws IOException {
        ImageInfo image = require(aliasOrFingerprint);
        Path scratch = root.resolve(".export-" + UUID.randomUUID());
        try {
            Files.createDirectories(scratch);
            return OciExport.write(root.resolve(image.fingerprint()).resolve("rootfs"), image, file, scratch);
        } finally {
            AtomicFiles.deleteTree(scratch);
        }
    }

    private static void unpack(Path source, Path rootfs) throws IOException {
        if (Files.isDirectory(source)) {
            // cp -a keeps modes, owners, symlinks, device nodes, hard links and xattrs; "/." copies
            // the contents and the top directory's own attributes.
            HostCommand.run(List.of("cp", "-a", "--reflink=auto", source.toAbsolutePath() + "/.", rootfs + "/"));
        } else if (Files.isRegularFile(source)) {
            TarMemberCheck.check(source);
            // GNU tar detects gzip by itself when reading a file.
            HostCommand.run(List.of("tar", "-x", "-f", source.toAbsolutePath().toString(), "-C", rootfs.toString(),
                    "--numeric-owner", "--same-owner", "--same-permissions"));
        } else {
            throw new NoSuchFileException(source.toString(), null, "neither a directory nor a tarball");
        }
    }

    private static List<String> plus(List<String> aliases, String alias) {
        List<String> out = new ArrayList<>(aliases);
        if (!out.contains(alias)) {
            out.add(alias);
        }
        return out;
    }

    private static List<String> minus(List<String> aliases, String alias) {
        List<String> out = new ArrayList<>(aliases);
        out.remove(alias);
        return out;
    }

    @Override
    public synchronized List<ImageInfo> list() throws IOException {
        List<ImageInfo> images = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                if (FINGERPRINT.matcher(dir.getFileName().toString()).matches()
                        && Files.isRegularFile(dir.resolve(ImageRecord.FILE))) {
                    images.add(ImageRecord.read(dir).info());
                }
            }
        }
        images.sort(Comparator.comparing(ImageInfo::importedAt).thenComparing(ImageInfo::fingerprint));
        return images;
    }

    @Override
    public synchronized Optional<ImageInfo> find(String aliasOrFingerprint) throws IOException {
        List<ImageInfo> images = list();
        for (ImageInfo image : images) {
            if (image.aliases().contains(aliasOrFingerprint)) {
                return Optional.of(image);
            }
        }
        String q = aliasOrFingerprint.toLowerCase();
        if (!PREFIX.matcher(q).matches()) {
            return Optional.empty();
        }
        List<ImageInfo> matches = images.stream().filter(i -> i.fingerprint().startsWith(q)).toList();
        if (matches.size() > 1) {
            throw new IllegalArgumentException("fingerprint prefix " + aliasOrFingerprint + " is ambiguous: "
                    + matches.stream().map(ImageInfo::fingerprint).toList());
        }
        return matches.stream().findFirst();
    }

    @Override
    public synchronized Optional<Path> content(String aliasOrFingerprint) throws IOException {
        return find(aliasOrFingerprint).map(i -> root.resolve(i.fingerprint()).resolve("rootfs"));
    }

    @Override
    public synchronized void delete(String aliasOrFingerprint) throws IOException {
        ImageInfo image = require(aliasOrFingerprint);
        Path imageDir = root.resolve(image.fingerprint());
        List<Path> users = users(image.fingerprint());
        if (!users.isEmpty()) {
            throw new IllegalStateException("image " + image.fingerprint() + " (" + image.alias()
                    + ") is used by container rootfs " + users);
        }
        // Out of sight first, so that a crash half-way through never leaves a half image under its name.
        Path doomed = root.resolve(".delete-" + UUID.randomUUID());
        Files.move(imageDir, doomed, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.deleteTree(doomed);
    }

    @Override
    public synchronized ContainerRootfs createRootfs(String aliasOrFingerprint, Path containerDir, Path changes)
            throws IOException {
        ImageInfo image = require(aliasOrFingerprint);
        Path dir = containerDir.toAbsolutePath().normalize();
        if (Files.exists(dir.resolve(RootfsRecord.FILE))) {
            throw new IOException("container directory " + dir + " already has a rootfs (" + RootfsRecord.FILE + ")");
        }
        Path lower = root.resolve(image.fingerprint()).resolve("rootfs");
        StoreRootfs rootfs = new StoreRootfs(this, dir, new RootfsRecord(image.fingerprint(), mode, lower.toString()));
        try {
            // The reference comes first, so that the image cannot be deleted while we build on it.
            addUser(image.fingerprint(), dir);
            if (mode == RootfsMode.OVERLAY) {
                // The changes go straight into the upper directory, never through the mounted
                // overlay: only there can a deletion (whiteout) or a replaced directory (opaque) be written.
                if (changes != null) {
                    LayerCopy.moveInto(changes, rootfs.changesDir());
                    OverlayLayer.forgetOrigins(rootfs.changesDir());
                } else {
                    Files.createDirectories(rootfs.changesDir());
                }
                Files.createDirectories(rootfs.workDir());
                Files.createDirectories(rootfs.path());
            } else if (changes != null) {
                LayerCopy.moveInto(changes, rootfs.path()); // a copy's "changes" are its whole tree
            } else {
                Files.createDirectories(rootfs.path());
                HostCommand.run(List.of("cp", "-a", "--reflink=auto", lower + "/.", rootfs.path() + "/"));
            }
            new RootfsRecord(image.fingerprint(), mode, lower.toString()).write(dir);
            rootfs.ensureMounted();
            return rootfs;
        } catch (IOException | RuntimeException e) {
            try {
                rootfs.destroy();
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    @Override
    public synchronized ContainerRootfs openRootfs(Path containerDir) throws IOException {
        Path dir = containerDir.toAbsolutePath().normalize();
        RootfsRecord record = RootfsRecord.read(dir);
        if (!Files.isDirectory(root.resolve(record.imageFingerprint()))) {
            throw new IOException("image " + record.imageFingerprint() + " of " + dir + " is not in " + root);
        }
        StoreRootfs rootfs = new StoreRootfs(this, dir, record);
        addUser(record.imageFingerprint(), dir);
        rootfs.ensureMounted();
        return rootfs;
    }

    @Override
    public synchronized void replaceChanges(Path containerDir, Path changes) throws IOException {
        Path dir = containerDir.toAbsolutePath().normalize();
        RootfsRecord record = RootfsRecord.read(dir);
        StoreRootfs rootfs = new StoreRootfs(this, dir, record);
        if (MountTable.isMountPoint(rootfs.path())) {
            MountTable.unmount(rootfs.path());
        }
        // Renamed aside first and removed last: a failure half-way leaves one whole layer or the other.
        Path layer = record.mode() == RootfsMode.OVERLAY ? rootfs.changesDir() : rootfs.path();
        Path old = dir.resolve(".replaced-" + UUID.randomUUID());
        Files.move(layer, old, StandardCopyOption.ATOMIC_MOVE);
        LayerCopy.moveInto(changes, layer);
        if (record.mode() == RootfsMode.OVERLAY) {
            OverlayLayer.forgetOrigins(layer);
            // the index of the work dir names the old upper root (index=on): a fresh one for the new
            AtomicFiles.deleteTree(rootfs.workDir());
            Files.createDirectories(rootfs.workDir());
        }
        AtomicFiles.deleteTree(old);
        rootfs.ensureMounted();
    }

    /** Drops the reference a container rootfs held on its image (called by its destroy). */
    synchronized void release(String fingerprint, Path containerDir) throws IOException {
        Files.deleteIfExists(userFile(fingerprint, containerDir));
    }

    private ImageInfo require(String aliasOrFingerprint) throws IOException {
        return find(aliasOrFingerprint)
                .orElseThrow(() -> new NoSuchFileException(root.toString(), null, "no image " + aliasOrFingerprint));
    }

    private void addUser(String fingerprint, Path containerDir) throws IOException {
        Path users = root.resolve(fingerprint).resolve("users");
        Files.createDirectories(users);
        AtomicFiles.write(userFile(fingerprint, containerDir), containerDir.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Container rootfs still using an image. A reference whose container directory no longer holds
     * a rootfs record of this image (removed by hand, or a crash between destroy's steps) is stale
     * and dropped here, so it cannot pin the image forever.
     */
    private List<Path> users(String fingerprint) throws IOException {
        List<Path> live = new ArrayList<>();
        Path users = root.resolve(fingerprint).resolve("users");
        if (!Files.isDirectory(users)) {
            return live;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(users)) {
            for (Path file : files) {
                Path containerDir = Path.of(Files.readString(file, StandardCharsets.UTF_8).strip());
                boolean inUse;
                try {
                    inUse = Files.exists(containerDir.resolve(RootfsRecord.FILE))
                            && RootfsRecord.read(containerDir).imageFingerprint().equals(fingerprint);
                } catch (IOException unreadable) {
                    inUse = true; // cannot tell: keep the image
                }
                if (inUse || MountTable.isMountPoint(containerDir.resolve("rootfs"))) {
                    live.add(containerDir);
                } else {
                    Files.deleteIfExists(file);
                }
            }
        }
        return live;
    }

    private Path userFile(String fingerprint, Path containerDir) {
        return root.resolve(fingerprint).resolve("users").resolve(sha256(containerDir.toString()).substring(0, 32));
    }

    private void takeAliasFromOthers(String alias, String fingerprint) throws IOException {
        for (ImageInfo other : list()) {
            if (other.aliases().contains(alias) && !other.fingerprint().equals(fingerprint)) {
                ImageRecord.of(other.withAliases(minus(other.aliases(), alias))).write(root.resolve(other.fingerprint()));
            }
        }
    }

    /** Half imports and half deletes of a crashed daemon. */
    private void removeLeftovers() throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, ".{import,delete,export}-*")) {
            for (Path dir : dirs) {
                AtomicFiles.deleteTree(dir);
            }
        }
    }

    private static void validateAlias(String alias) {
        if (alias == null || !ALIAS.matcher(alias).matches()) {
            throw new IllegalArgumentException("invalid image alias '" + alias
                    + "': use 1-128 of [A-Za-z0-9_.:+-], starting with a letter or digit");
        }
        if (PREFIX.matcher(alias).matches()) {
            // Would shadow fingerprint lookups.
            throw new IllegalArgumentException("image alias '" + alias + "' looks like a fingerprint");
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
