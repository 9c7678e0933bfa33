package io.godwit.runtime.image;

import io.godwit.runtime.HostCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;

/** Mount points of this process's mount namespace and the mount/umount commands. */
final class MountTable {
    private static final Logger LOG = Logger.getLogger(MountTable.class.getName());

    /**
     * Overlay options that make the overlay's files decodable from file handles (index=on is what
     * nfs_export=on needs). CRIU dumps an inotify watch or fanotify mark by opening the watched
     * inode from the handle the kernel reports: on an overlay without them the handle cannot be
     * opened, CRIU falls back to scanning a few fixed directories (/etc, /var/log, ...) and fails
     * with "fsnotify: Can't dump that handle" for any other file (/tmp/x, an app's own dir).
     */
    static final String EXPORTABLE = "index=on,nfs_export=on";

    private MountTable() {
    }

    static boolean isMountPoint(Path dir) throws IOException {
        String wanted = dir.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && unescape(f[4]).equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    static void mountOverlay(Path lower, Path upper, Path work, Path target) throws IOException {
        for (Path p : List.of(lower, upper, work)) {
            String s = p.toString();
            // overlay's option parser splits on ',' and ':'; escaping is not worth the risk.
            if (s.contains(",") || s.contains(":") || s.chars().anyMatch(Character::isWhitespace)) {
                throw new IOException("overlay cannot use the path '" + s + "' (contains ',', ':' or whitespace)");
            }
        }
        String layers = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
        try {
            HostCommand.run(List.of("mount", "-t", "overlay", "overlay", "-o", layers + "," + EXPORTABLE,
                    target.toString()));
        } catch (IOException refused) {
            // A kernel or layer file system without file handle support (or with metacopy=on)
            // refuses them: the container still runs and checkpoints, only not with fsnotify
            // watches outside CRIU's fixed scan directories.
            LOG.warning("overlay " + target + " without " + EXPORTABLE + " (refused: " + refused.getMessage()
                    + "): CRIU will not resolve inotify/fanotify watches on most of its files");
            HostCommand.run(List.of("mount", "-t", "overlay", "overlay", "-o", layers, target.toString()));
        }
    }

    /** Unmounts; a busy mount is an error (with umount's message), never detached lazily behind a user's back. */
    static void unmount(Path target) throws IOException {
        HostCommand.run(List.of("umount", target.toString()));
    }

    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
