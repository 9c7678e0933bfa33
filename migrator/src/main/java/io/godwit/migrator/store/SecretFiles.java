package io.godwit.migrator.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Secrets the operator hands the daemon as files (the store's key, the S3 secret key): read only
 * from a regular file that no group or other user can read or write, owned by root or the daemon's
 * user, so that a secret never sits in a world-readable settings file.
 */
final class SecretFiles {
    private SecretFiles() {
    }

    static byte[] read(Path file, String what) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(what + " " + file + " is missing (or not a regular file)");
        }
        PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> others = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_EXECUTE);
        others.retainAll(a.permissions());
        if (!others.isEmpty()) {
            throw new IOException(what + " " + file + " is readable or writable by others ("
                    + PosixFilePermissions.toString(a.permissions()) + "): chmod 600 it");
        }
        String owner = a.owner().getName();
        String me = System.getProperty("user.name");
        if (!owner.equals("root") && !owner.equals(me)) {
            throw new IOException(what + " " + file + " belongs to " + owner + ", not to root or " + me);
        }
        return Files.readAllBytes(file);
    }
}
