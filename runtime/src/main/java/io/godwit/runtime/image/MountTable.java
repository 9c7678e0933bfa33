package io.godwit.runtime.image;

import io.godwit.runtime.HostCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Mount points of this process's mount namespace and the mount/umount commands. */
final class MountTable {

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
        HostCommand.run(List.of("mount", "-t", "overlay", "overlay", "-o",
                "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work, target.toString()));
    }

    /** Unmounts; a busy mount is an error (with umount's message), never detached lazily behind a user's back. */
    static void unmount(Path target) throws IOException {
        HostCommand.run(List.of("umount", target.toString()));
    }

    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
