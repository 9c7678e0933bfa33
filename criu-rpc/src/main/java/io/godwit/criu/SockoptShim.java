package io.godwit.criu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The small library preloaded into every criu (src/main/c/criu-sockopt.c): on Linux 6.16 and
 * later, CRIU 4.1.1 cannot dump any TCP or UDP socket (it reads SO_PASSCRED and SO_PASSSEC, which
 * the kernel no longer has for them, and gives up), so no network service could be checkpointed.
 * The library answers "off" for exactly those two options when the kernel says they do not exist.
 *
 * <p>It travels inside this jar and is written once per content to {@code java.io.tmpdir} as
 * {@code godwit-criu-sockopt-DIGEST.so}, owned by this user and readable by nobody else; a file of
 * that name that is not exactly ours (another owner, other bytes, a link) is never used.
 */
public final class SockoptShim {
    private static final Logger LOG = Logger.getLogger(SockoptShim.class.getName());
    private static final String RESOURCE = "libgodwit-criu-sockopt.so";
    private static volatile Path path;
    private static volatile boolean tried;

    private SockoptShim() {
    }

    /** The library's path, or null when this jar has none (built without gcc) or it cannot be written. */
    public static Path path() {
        if (!tried) {
            synchronized (SockoptShim.class) {
                if (!tried) {
                    try {
                        path = install(Path.of(System.getProperty("java.io.tmpdir")));
                    } catch (IOException | RuntimeException e) {
                        LOG.log(Level.WARNING, "cannot install the criu getsockopt shim: processes with TCP or UDP"
                                + " sockets cannot be checkpointed on Linux 6.16+ with CRIU 4.1", e);
                    }
                    tried = true;
                }
            }
        }
        return path;
    }

    static Path install(Path dir) throws IOException {
        byte[] bytes;
        try (InputStream in = SockoptShim.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return null;
            }
            bytes = in.readAllBytes();
        }
        Path target = dir.resolve("godwit-criu-sockopt-" + digest(bytes) + ".so");
        if (isOurs(target, bytes)) {
            return target;
        }
        Path temp = Files.createTempFile(dir, "godwit-criu-sockopt-", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Files.write(temp, bytes);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            // the name is held by something we may not replace (another user's file in sticky /tmp):
            // use the private temp file itself
            return temp;
        }
    }

    private static boolean isOurs(Path p, byte[] bytes) throws IOException {
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        String me = System.getProperty("user.name");
        boolean owned = Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName().equals(me);
        boolean privateMode = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)
                .equals(PosixFilePermissions.fromString("rwx------"));
        return owned && privateMode && Arrays.equals(Files.readAllBytes(p), bytes);
    }

    private static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
