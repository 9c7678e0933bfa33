package io.godwit.runtime.image;

/** How a container's writable rootfs is made from its image. */
public enum RootfsMode {
    /** The image as overlay lowerdir, changes in containerDir/upper; the default (see ContentImageStore). */
    OVERLAY,
    /**
     * A full copy (cp -a --reflink=auto), for hosts where overlay cannot be used on the store's file
     * system; its "changes" are its whole tree, so a restore makes it from those alone.
     */
    COPY
}
