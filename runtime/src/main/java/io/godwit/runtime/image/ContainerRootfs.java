package io.godwit.runtime.image;

import java.io.IOException;
import java.nio.file.Path;

/** The writable root filesystem of one container. */
public interface ContainerRootfs {

    /** The directory the container pivots into. */
    Path path();

    /** Fingerprint of the image it was made from. */
    String imageFingerprint();

    /**
     * The directory holding only what the container changed relative to its image (overlay's
     * upper dir), or the whole rootfs when the store copies images. Checkpoints and migrations
     * send this instead of the whole tree when the other side has the image.
     */
    Path changesDir();

    /** Unmounts (if mounted) and removes the rootfs and its change layer. */
    void destroy() throws IOException;
}
