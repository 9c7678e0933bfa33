package io.godwit.transfer;

import io.godwit.proto.peer.EntryType;
import io.godwit.proto.peer.FileEntry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Reads and applies the POSIX metadata carried in a FileEntry, never following symbolic links. */
final class FileMeta {
    private static final int S_IFMT = 0170000, S_IFREG = 0100000, S_IFDIR = 0040000, S_IFLNK = 0120000,
            S_IFCHR = 0020000, S_IFBLK = 0060000, S_IFIFO = 0010000;

    private FileMeta() {}

    /** The entry for p (type from the inode; hard links are detected by the scanner), or null for sockets. */
    static FileEntry.Builder read(Path p, String rel) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:*", SafePaths.NOFOLLOW);
        int mode = (Integer) a.get("mode");
        EntryType type = switch (mode & S_IFMT) {
            case S_IFREG -> EntryType.REGULAR;
            case S_IFDIR -> EntryType.DIRECTORY;
            case S_IFLNK -> EntryType.SYMLINK;
            // overlayfs marks a name deleted from the image below with a char device 0/0
            case S_IFCHR -> (Long) a.get("rdev") == 0 ? EntryType.WHITEOUT : EntryType.CHAR_DEVICE;
            case S_IFBLK -> EntryType.BLOCK_DEVICE;
            case S_IFIFO -> EntryType.FIFO;
            default -> null; // sockets are recreated by whoever listens on them
        };
        if (type == null) return null;
        FileEntry.Builder b = FileEntry.newBuilder().setPath(rel).setType(type).setMode(mode & 07777)
                .setUid((Integer) a.get("uid")).setGid((Integer) a.get("gid"))
                .setMtimeNs(((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS));
        if (type == EntryType.REGULAR) b.setSize((Long) a.get("size"));
        if (type == EntryType.SYMLINK) b.setLinkTarget(Files.readSymbolicLink(p).toString());
        if (type == EntryType.CHAR_DEVICE || type == EntryType.BLOCK_DEVICE) b.setRdev((Long) a.get("rdev"));
        return b;
    }

    static long inode(Path p) throws IOException {
        return (Long) Files.getAttribute(p, "unix:ino", SafePaths.NOFOLLOW);
    }

    /** Every extended attribute of p (all namespaces), into the entry. */
    static void readXattrs(Path p, FileEntry.Builder b) throws IOException {
        b.addAllXattrs(Xattrs.read(p));
    }

    static boolean special(EntryType t) {
        return t == EntryType.FIFO || t == EntryType.CHAR_DEVICE || t == EntryType.BLOCK_DEVICE || t == EntryType.WHITEOUT;
    }

    /**
     * Owner, extended attributes, mode and mtime of a non-directory, in this order: chown clears
     * security.capability (and setuid), so attributes come after the owner; a user.* attribute
     * needs write permission, so the mode (maybe read-only) comes after the attributes.
     */
    static void apply(Path p, FileEntry e) throws IOException {
        applyOwner(p, e);
        Xattrs.write(p, e.getXattrsList(), false, e.getPath());
        applyMode(p, e);
        applyMtime(p, e);
    }

    /** Owner, only when we are root (else it would fail); never through a link. */
    static void applyOwner(Path p, FileEntry e) throws IOException {
        if (!Privileges.ROOT) return;
        if (special(e.getType())) {
            // The JDK opens the file to chown it: that blocks on a FIFO and may have side
            // effects on a device. chown -h works on the name.
            exec(e.getPath(), "chown", "-h", e.getUid() + ":" + e.getGid(), p.toString());
            return;
        }
        Files.setAttribute(p, "unix:uid", e.getUid(), SafePaths.NOFOLLOW);
        Files.setAttribute(p, "unix:gid", e.getGid(), SafePaths.NOFOLLOW);
    }

    /** Permission bits (chown cleared setuid: this comes after it); links have none, mknod -m set those of special files. */
    static void applyMode(Path p, FileEntry e) throws IOException {
        if (special(e.getType()) || e.getType() == EntryType.SYMLINK) return;
        Files.setAttribute(p, "unix:mode", e.getMode(), SafePaths.NOFOLLOW);
    }

    static void applyMtime(Path p, FileEntry e) throws IOException {
        if (special(e.getType())) { // see applyOwner: never open special files
            long ns = e.getMtimeNs();
            exec(e.getPath(), "touch", "-h", "-m", "-d", "@" + Math.floorDiv(ns, 1_000_000_000L) + "."
                    + String.format("%09d", Math.floorMod(ns, 1_000_000_000L)), p.toString());
            return;
        }
        FileTime t = FileTime.from(e.getMtimeNs(), TimeUnit.NANOSECONDS);
        Files.getFileAttributeView(p, java.nio.file.attribute.BasicFileAttributeView.class, SafePaths.NOFOLLOW)
                .setTimes(t, null, null);
    }

    static int major(long rdev) {
        return (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
    }

    static int minor(long rdev) {
        return (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
    }

    /** Java cannot create device nodes or FIFOs; mknod(1) can, and it never follows a link. */
    static void mknod(Path p, FileEntry e) throws IOException {
        String mode = Integer.toOctalString(e.getMode() & 07777);
        var cmd = switch (e.getType()) {
            case CHAR_DEVICE -> java.util.List.of("mknod", "-m", mode, p.toString(), "c",
                    Integer.toString(major(e.getRdev())), Integer.toString(minor(e.getRdev())));
            case BLOCK_DEVICE -> java.util.List.of("mknod", "-m", mode, p.toString(), "b",
                    Integer.toString(major(e.getRdev())), Integer.toString(minor(e.getRdev())));
            case FIFO -> java.util.List.of("mkfifo", "-m", mode, p.toString());
            case WHITEOUT -> java.util.List.of("mknod", "-m", mode, p.toString(), "c", "0", "0");
            default -> throw new IllegalArgumentException("not a special file: " + e.getType());
        };
        exec(e.getPath(), cmd.toArray(String[]::new));
    }

    private static void exec(String forPath, String... cmd) throws IOException {
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes()).strip();
        try {
            if (proc.waitFor() != 0) throw new TransferException("'" + forPath + "': " + String.join(" ", cmd) + " failed: " + out);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while handling " + forPath);
        }
    }
}
