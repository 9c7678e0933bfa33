package io.godwit.runtime.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The fingerprint of a root filesystem tree: SHA-256 over a canonical listing, one line per entry
 * (the root itself is "."), entries sorted by their relative path compared as UTF-8 bytes:
 *
 * <pre>path NUL type NUL mode NUL uid NUL gid NUL size NUL extra NUL sha256 LF</pre>
 *
 * type is d, f, l, c, b, p or s; mode the permission bits in octal (with setuid/setgid/sticky);
 * size and sha256 (hex of the content) only for regular files, else 0 and empty; extra the target
 * for symlinks and "major:minor" for devices, else empty. Times, xattrs and hard-link identity are
 * left out on purpose: the same content unpacked twice, or from a directory and from a tarball,
 * must give the same fingerprint.
 */
final class TreeFingerprint {

    /** The fingerprint and the total size of the regular files. */
    record Result(String fingerprint, long sizeBytes) {
    }

    private TreeFingerprint() {
    }

    static Result of(Path root) throws IOException {
        MessageDigest listing = sha256();
        long total = 0;
        List<Path> entries;
        try (Stream<Path> walk = Files.walk(root)) {
            entries = walk.sorted((a, b) -> compareBytes(relative(root, a), relative(root, b))).toList();
        }
        for (Path entry : entries) {
            Map<String, Object> a = Files.readAttributes(entry, "unix:mode,uid,gid,rdev,size", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            char type = type(mode, entry);
            long size = 0;
            String extra = "";
            String hash = "";
            if (type == 'f') {
                size = (Long) a.get("size");
                hash = hashFile(entry);
                total += size;
            } else if (type == 'l') {
                extra = Files.readSymbolicLink(entry).toString();
            } else if (type == 'c' || type == 'b') {
                long rdev = (Long) a.get("rdev");
                extra = major(rdev) + ":" + minor(rdev);
            }
            String line = relative(root, entry) + '\0' + type + '\0' + Integer.toOctalString(mode & 07777) + '\0'
                    + a.get("uid") + '\0' + a.get("gid") + '\0' + size + '\0' + extra + '\0' + hash + '\n';
            listing.update(line.getBytes(StandardCharsets.UTF_8));
        }
        return new Result(HexFormat.of().formatHex(listing.digest()), total);
    }

    private static String relative(Path root, Path entry) {
        String rel = root.relativize(entry).toString();
        return rel.isEmpty() ? "." : rel;
    }

    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static char type(int mode, Path entry) throws IOException {
        return switch (mode & 0170000) {
            case 0040000 -> 'd';
            case 0100000 -> 'f';
            case 0120000 -> 'l';
            case 0020000 -> 'c';
            case 0060000 -> 'b';
            case 0010000 -> 'p';
            case 0140000 -> 's';
            default -> throw new IOException("unknown file type " + Integer.toOctalString(mode) + " of " + entry);
        };
    }

    /** Linux's encoding of dev_t (glibc's gnu_dev_major/minor). */
    private static long major(long dev) {
        return ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & 0xfffff000L);
    }

    private static long minor(long dev) {
        return (dev & 0xffL) | ((dev >>> 12) & 0xffffff00L);
    }

    private static String hashFile(Path file) throws IOException {
        MessageDigest md = sha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            for (int n; (n = in.read(buffer)) > 0;) {
                md.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new IOException("cannot hash " + file + ": " + e, e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e);
        }
    }
}
