package io.godwit.runtime.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Root filesystem images, content-addressed by the SHA-256 fingerprint of their content,
 * and the writable root filesystems that containers get from them.
 */
public interface ImageStore {

    /** Imports a directory tree or a tarball (plain or gzip) under an alias; idempotent by content. */
    ImageInfo importImage(String alias, Path directoryOrTarball) throws IOException;

    List<ImageInfo> list() throws IOException;

    /** Finds an image by alias or by fingerprint (or a unique prefix of at least 12 hex digits). */
    Optional<ImageInfo> find(String aliasOrFingerprint) throws IOException;

    /** The image's own tree (never to be written), to send to a peer that lacks the image. */
    Optional<Path> content(String aliasOrFingerprint) throws IOException;

    /** Refuses (IllegalStateException) while a container rootfs still uses the image. */
    void delete(String aliasOrFingerprint) throws IOException;

    /**
     * Makes the writable root filesystem of a container in {@code containerDir} from an image and
     * returns it; its path is {@code containerDir/rootfs}. How (overlay or copy) is the store's choice.
     */
    default ContainerRootfs createRootfs(String aliasOrFingerprint, Path containerDir) throws IOException {
        return createRootfs(aliasOrFingerprint, containerDir, null);
    }

    /**
     * Same, with the changes a container had made (a checkpoint's or a move's copy of its
     * {@link ContainerRootfs#changesDir()}): they become the new rootfs's change layer as they are,
     * whiteouts, opaque directories and holes included, before anything is mounted. The directory
     * {@code changes} is consumed (moved in, or copied and removed); null means no changes.
     */
    ContainerRootfs createRootfs(String aliasOrFingerprint, Path containerDir, Path changes) throws IOException;

    /**
     * Re-attaches to a container rootfs made earlier (after a daemon restart), mounting it again if
     * it needs a mount and is not mounted.
     */
    ContainerRootfs openRootfs(Path containerDir) throws IOException;
}
