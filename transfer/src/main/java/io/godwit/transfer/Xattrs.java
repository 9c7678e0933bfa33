package io.godwit.transfer;

import com.google.protobuf.ByteString;
import io.godwit.proto.peer.Xattr;
import io.godwit.transfer.internal.FileCalls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Extended attributes of every namespace, by full name ("user.k", "trusted.overlay.opaque",
 * "security.capability"), read and written on the name itself: a symbolic link is never followed.
 * An overlay's upper layer keeps its meaning in trusted.overlay.* (opaque directories, redirects)
 * and binaries their file capabilities in security.capability, so a rootfs needs them all.
 */
final class Xattrs {
    /** Linux limits: names up to 255 bytes, values up to 64 KiB. */
    static final int MAX_NAME = 255, MAX_VALUE = 65536;

    private Xattrs() {}

    /** Every attribute of p, sorted by name; none where the file system has no xattrs. */
    static List<Xattr> read(Path p) throws IOException {
        String path = p.toString();
        byte[] names = listNames(path);
        List<String> sorted = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < names.length; i++) {
            if (names[i] == 0) {
                if (i > start) sorted.add(new String(names, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        sorted.sort(null);
        List<Xattr> out = new ArrayList<>();
        for (String name : sorted) {
            byte[] value = value(path, name);
            if (value != null) out.add(Xattr.newBuilder().setName(name).setValue(ByteString.copyFrom(value)).build());
        }
        return out;
    }

    private static byte[] listNames(String path) throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            long n = FileCalls.INSTANCE.llistxattr(path, null, 0);
            if (n < 0) {
                int err = FileCalls.errno();
                if (err == FileCalls.ENOTSUP) return new byte[0];
                throw failure("list the xattrs of", path, err);
            }
            byte[] buf = new byte[(int) n];
            long got = n == 0 ? 0 : FileCalls.INSTANCE.llistxattr(path, buf, buf.length);
            if (got >= 0) return got == buf.length ? buf : java.util.Arrays.copyOf(buf, (int) got);
            if (FileCalls.errno() != FileCalls.ERANGE) throw failure("list the xattrs of", path, FileCalls.errno());
            // grew between the two calls: ask again
        }
        throw new TransferException("the xattrs of '" + path + "' keep changing while they are read");
    }

    /** The value, or null when the attribute went away meanwhile. */
    private static byte[] value(String path, String name) throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            long n = FileCalls.INSTANCE.lgetxattr(path, name, null, 0);
            if (n < 0) {
                if (FileCalls.errno() == FileCalls.ENODATA) return null;
                throw failure("read xattr " + name + " of", path, FileCalls.errno());
            }
            byte[] buf = new byte[(int) n];
            long got = n == 0 ? 0 : FileCalls.INSTANCE.lgetxattr(path, name, buf, buf.length);
            if (got >= 0) return got == buf.length ? buf : java.util.Arrays.copyOf(buf, (int) got);
            int err = FileCalls.errno();
            if (err == FileCalls.ENODATA) return null;
            if (err != FileCalls.ERANGE) throw failure("read xattr " + name + " of", path, err);
        }
        throw new TransferException("xattr " + name + " of '" + path + "' keeps changing while it is read");
    }

    /**
     * Checks a name sent by a peer: a namespace Linux knows and we mean to carry, no NUL, not too
     * long. Returns whether this process may set it (trusted.* and security.* need root).
     */
    static boolean settable(String name, String forPath) throws UnsafePathException {
        boolean known = name.startsWith("user.") || name.startsWith("trusted.") || name.startsWith("security.")
                || name.equals("system.posix_acl_access") || name.equals("system.posix_acl_default");
        if (!known || name.indexOf('\0') >= 0 || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME) {
            throw new UnsafePathException("refusing xattr '" + SafePaths.printable(name) + "' on '"
                    + SafePaths.printable(forPath) + "': not a user, trusted, security or ACL attribute");
        }
        return Privileges.ROOT || name.startsWith("user.");
    }

    /**
     * Sets the attributes of an entry on p. With replace, attributes p has and the entry lacks are
     * removed (an existing directory that the sender changed); only names this process may manage.
     */
    static void write(Path p, List<Xattr> wanted, boolean replace, String forPath) throws IOException {
        String path = p.toString();
        Set<String> names = new HashSet<>();
        for (Xattr x : wanted) {
            if (!settable(x.getName(), forPath)) continue;
            if (x.getValue().size() > MAX_VALUE) {
                throw new TransferException("xattr " + x.getName() + " of '" + forPath + "' is larger than " + MAX_VALUE + " bytes");
            }
            byte[] v = x.getValue().toByteArray();
            if (FileCalls.INSTANCE.lsetxattr(path, x.getName(), v, v.length, 0) != 0) {
                throw new TransferException("cannot set xattr " + x.getName() + " on '" + forPath + "': "
                        + FileCalls.describe(FileCalls.errno()));
            }
            names.add(x.getName());
        }
        if (!replace) return;
        for (Xattr have : read(p)) {
            String n = have.getName();
            if (!names.contains(n) && (Privileges.ROOT || n.startsWith("user."))
                    && FileCalls.INSTANCE.lremovexattr(path, n) != 0 && FileCalls.errno() != FileCalls.ENODATA) {
                throw new TransferException("cannot remove xattr " + n + " from '" + forPath + "': "
                        + FileCalls.describe(FileCalls.errno()));
            }
        }
    }

    private static IOException failure(String what, String path, int errno) {
        if (errno == FileCalls.ENOENT) return new NoSuchFileException(path);
        return new TransferException("cannot " + what + " '" + path + "': " + FileCalls.describe(errno));
    }
}
