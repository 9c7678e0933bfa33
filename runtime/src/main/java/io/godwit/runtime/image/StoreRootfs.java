package io.godwit.runtime.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A container rootfs made by {@link ContentImageStore}: containerDir/rootfs (the overlay mount
 * point or the copy), and for overlay containerDir/upper (the changes) and containerDir/work.
 */
final class StoreRootfs implements ContainerRootfs {

    private final ContentImageStore store;
    private final Path containerDir;
    private final RootfsRecord record;

    StoreRootfs(ContentImageStore store, Path containerDir, RootfsRecord record) {
        this.store = store;
        this.containerDir = containerDir;
        this.record = record;
    }

    @Override
    public Path path() {
        return containerDir.resolve("rootfs");
    }

    @Override
    public String imageFingerprint() {
        return record.imageFingerprint();
    }

    @Override
    public Path changesDir() {
        return record.mode() == RootfsMode.OVERLAY ? containerDir.resolve("upper") : path();
    }

    Path workDir() {
        return containerDir.resolve("work");
    }

    RootfsMode mode() {
        return record.mode();
    }

    /** Mounts the overlay unless it is mounted already; nothing to do for a copy. */
    void ensureMounted() throws IOException {
        if (record.mode() == RootfsMode.OVERLAY && !MountTable.isMountPoint(path())) {
            Path lower = Path.of(record.lowerDir());
            if (!Files.isDirectory(lower)) {
                throw new IOException("image rootfs " + lower + " of " + containerDir + " is gone");
            }
            MountTable.mountOverlay(lower, changesDir(), workDir(), path());
        }
    }

    @Override
    public void destroy() throws IOException {
        if (MountTable.isMountPoint(path())) {
            // Busy means a container still runs in it: report it rather than detach lazily.
            MountTable.unmount(path());
        }
        if (MountTable.isMountPoint(path())) {
            throw new IOException("still mounted after umount: " + path());
        }
        AtomicFiles.deleteTree(path());
        AtomicFiles.deleteTree(containerDir.resolve("upper"));
        AtomicFiles.deleteTree(workDir());
        Files.deleteIfExists(containerDir.resolve(RootfsRecord.FILE));
        store.release(record.imageFingerprint(), containerDir);
    }

    @Override
    public String toString() {
        return record.mode().name().toLowerCase() + " rootfs " + path() + " of image " + record.imageFingerprint();
    }
}
