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

    /** Imports a directory tree, a tarball (plain or gzip) or an OCI/Docker image under an alias; idempotent by content. */
    ImageInfo importImage(String alias, Path directoryOrTarball) throws IOException;

    /**
     * Same, for an image (OCI layout, OCI archive, docker-archive) or a root filesystem;
     * {@code defaults} are the config defaults to keep when the source has none (publish).
     */
    default ImageInfo importImage(String alias, Path source, ImageConfig defaults) throws IOException {
        throw new UnsupportedOperationException("this image store imports root filesystems only");
    }

    /** Gives an image one more alias (taken from another image that had it). */
    default ImageInfo addAlias(String aliasOrFingerprint, String alias) throws IOException {
        throw new UnsupportedOperationException("this image store keeps one alias per image");
    }

    /** Takes an alias away from the image that has it; the image stays. */
    default ImageInfo removeAlias(String alias) throws IOException {
        throw new UnsupportedOperationException("this image store keeps one alias per image");
    }

    /** Writes the image as an OCI archive to {@code file}; returns its size in bytes. */
    default long export(String aliasOrFingerprint, Path file) throws IOException {
        throw new UnsupportedOperationException("this image store cannot export");
    }

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

    /**
     * Swaps the change layer of a container rootfs made earlier for {@code changes} (consumed), and
     * mounts it again: a move's target made the container before the source froze it, from the
     * changes copied while it ran, and takes the final ones here. Nothing may run in the rootfs.
     */
    default void replaceChanges(Path containerDir, Path changes) throws IOException {
        throw new UnsupportedOperationException("this image store cannot replace a rootfs's changes");
    }
}
