package io.godwit.runtime;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Shifts a root filesystem's owners into a user namespace's host range (chown at creation; why not
 * idmapped mounts: see README, "User namespaces"). Ids below the range's size move up by its base;
 * ids already in the range (files a restored or moved container made) stay: the shift is idempotent.
 * chown clears set-user-ID and set-group-ID bits, so the mode is put back after it. Symlinks are
 * changed themselves (lchown), never followed.
 */
final class RootfsOwnership {
    private RootfsOwnership() {
    }

    /** Returns how many entries changed owner. */
    static long shift(Path rootfs, UserNamespace ns) throws IOException {
        long[] changed = {0};
        Files.walkFileTree(rootfs, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (shiftOne(dir, ns)) {
                    changed[0]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (shiftOne(file, ns)) {
                    changed[0]++;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return changed[0];
    }

    private static boolean shiftOne(Path p, UserNamespace ns) throws IOException {
        int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        long nu = ns.toHost(Integer.toUnsignedLong(uid), true);
        long ng = ns.toHost(Integer.toUnsignedLong(gid), false);
        if (nu == Integer.toUnsignedLong(uid) && ng == Integer.toUnsignedLong(gid)) {
            return false;
        }
        boolean link = Files.isSymbolicLink(p);
        int mode = link ? 0 : (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:uid", (int) nu, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", (int) ng, LinkOption.NOFOLLOW_LINKS);
        if (!link && (mode & 06000) != 0) {
            Files.setAttribute(p, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
        }
        return true;
    }
}
