package io.godwit.runtime.image;

import io.godwit.runtime.HostCommand;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Copies an overlay change layer (an upper directory, or a saved copy of one) as what it is, into
 * another plain directory, never through a mounted overlay: whiteouts (char devices 0/0) stay
 * whiteouts, opaque directories keep trusted.overlay.opaque, sparse files keep their holes, and
 * xattrs of every namespace, hard links, symlinks, modes, owners and times are kept.
 *
 * <p>GNU cp does all of that: -a for links, devices, owners, modes and times; --preserve=all named
 * explicitly, so that an xattr it cannot copy is an error instead of a silent loss (-a alone only
 * tries); --sparse=auto finds the holes with SEEK_DATA/SEEK_HOLE and leaves them holes.
 */
public final class LayerCopy {

    private LayerCopy() {
    }

    /** Copies the content of {@code from} (and the attributes of {@code from} itself) into {@code to}, made if missing. */
    public static void copy(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("change layer " + from + " is not a directory");
        }
        Files.createDirectories(to);
        // "from/." into "to/": the content, and the attributes of from itself onto to
        HostCommand.run(List.of("cp", "--archive", "--preserve=all", "--sparse=auto", "--", from + "/.", to + "/"));
    }

    /**
     * Makes {@code to} (which must not exist) hold what {@code from} holds, and {@code from} go away:
     * a rename where both are on one file system (nothing is copied), else a copy and a removal.
     */
    public static void moveInto(Path from, Path to) throws IOException {
        if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("cannot move the change layer " + from + " to " + to + ": it exists");
        }
        if (!Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("change layer " + from + " is not a directory");
        }
        Files.createDirectories(to.getParent());
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException otherFileSystem) {
            copy(from, to);
            AtomicFiles.deleteTree(from);
        }
    }
}
