package io.godwit.runtime.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * How overlayfs writes down, in an upper directory, what a container changed in its image: a
 * deleted name is a whiteout (a char device 0/0), a directory that replaced the image's one is
 * opaque (xattr trusted.overlay.opaque = "y"), so the image's entries below it stay hidden.
 */
public final class OverlayLayer {
    public static final String OPAQUE = "trusted.overlay.opaque";
    /** A file handle of the lower file an upper entry was copied up from, on the overlay it was made in. */
    public static final String ORIGIN = "trusted.overlay.origin";

    private OverlayLayer() {
    }

    public static boolean isWhiteout(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
        return ((Integer) a.get("mode") & 0170000) == 0020000 && (Long) a.get("rdev") == 0L;
    }

    public static boolean isOpaque(Path p) throws IOException {
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && "y".equals(xattr(p, OPAQUE));
    }

    /** The value of an xattr of any namespace (UTF-8), or null when p does not have it. */
    public static String xattr(Path p, String name) throws IOException {
        byte[] buf = new byte[4096];
        long n = XattrCalls.INSTANCE.lgetxattr(p.toString(), name, buf, buf.length);
        if (n < 0) {
            int err = XattrCalls.errno();
            if (err == XattrCalls.ENODATA || err == XattrCalls.ENOTSUP) {
                return null;
            }
            throw new IOException("cannot read xattr " + name + " of " + p + ": " + XattrCalls.INSTANCE.strerror(err));
        }
        return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
    }

    /** Sets an xattr of any namespace (trusted.* and security.* need root). */
    public static void setXattr(Path p, String name, String value) throws IOException {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        if (XattrCalls.INSTANCE.lsetxattr(p.toString(), name, v, v.length, 0) != 0) {
            throw new IOException("cannot set xattr " + name + " on " + p + ": "
                    + XattrCalls.INSTANCE.strerror(XattrCalls.errno()));
        }
    }

    /**
     * Drops every {@link #ORIGIN} below {@code upper}: saved changes that become the upper layer of a
     * new overlay (a restore, a warm start, a move to another host) point with them at files of the
     * lower layer they were made on, and an overlay mounted with index=on (which Godwit uses so
     * that CRIU can dump inotify watches) verifies the upper root's origin and refuses the mount
     * when it does not match. Whiteouts and opaque directories, the layer's meaning, stay.
     */
    public static void forgetOrigins(Path upper) throws IOException {
        try (var all = Files.walk(upper)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (XattrCalls.INSTANCE.lremovexattr(p.toString(), ORIGIN) != 0) {
                    int err = XattrCalls.errno();
                    if (err != XattrCalls.ENODATA && err != XattrCalls.ENOTSUP) {
                        throw new IOException("cannot remove " + ORIGIN + " from " + p + ": "
                                + XattrCalls.INSTANCE.strerror(err));
                    }
                }
            }
        }
    }
}
