package io.godwit.transfer;

import io.godwit.proto.peer.EntryType;
import io.godwit.proto.peer.FileEntry;
import io.godwit.proto.peer.Xattr;
import com.google.protobuf.ByteString;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
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
            case S_IFCHR -> EntryType.CHAR_DEVICE;
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

    /**
     * user.* extended attributes of regular files and directories. security.* and trusted.*
     * are not reachable through Java's UserDefinedFileAttributeView; they are skipped.
     */
    static void readXattrs(Path p, FileEntry.Builder b) {
        try {
            UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, SafePaths.NOFOLLOW);
            if (v == null) return;
            for (String name : v.list()) {
                ByteBuffer buf = ByteBuffer.allocate(v.size(name));
                v.read(name, buf);
                buf.flip();
                b.addXattrs(Xattr.newBuilder().setName(name).setValue(ByteString.copyFrom(buf)));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // The filesystem has no user xattrs: nothing to carry.
        }
    }

    static void writeXattrs(Path p, FileEntry e) throws IOException {
        if (e.getXattrsCount() == 0) return;
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, SafePaths.NOFOLLOW);
        if (v == null) return;
        for (Xattr x : e.getXattrsList()) {
            try {
                v.write(x.getName(), x.getValue().asReadOnlyByteBuffer());
            } catch (IOException ex) {
                throw new TransferException("cannot set xattr user." + x.getName() + " on '" + e.getPath() + "'", ex);
            }
        }
    }

    static boolean special(EntryType t) {
        return t == EntryType.FIFO || t == EntryType.CHAR_DEVICE || t == EntryType.BLOCK_DEVICE;
    }

    /** Owner (only when we are root, else it would fail), then mode (chown clears setuid), for non-links. */
    static void applyOwnerAndMode(Path p, FileEntry e) throws IOException {
        if (special(e.getType())) {
            // The JDK opens the file to chown/chmod it: that blocks on a FIFO and may have side
            // effects on a device. mknod -m already set the mode; chown -h works on the name.
            if (Privileges.ROOT) exec(e.getPath(), "chown", "-h", e.getUid() + ":" + e.getGid(), p.toString());
            return;
        }
        if (Privileges.ROOT) {
            Files.setAttribute(p, "unix:uid", e.getUid(), SafePaths.NOFOLLOW);
            Files.setAttribute(p, "unix:gid", e.getGid(), SafePaths.NOFOLLOW);
        }
        if (e.getType() != EntryType.SYMLINK) Files.setAttribute(p, "unix:mode", e.getMode(), SafePaths.NOFOLLOW);
    }

    static void applyMtime(Path p, FileEntry e) throws IOException {
        if (special(e.getType())) { // see applyOwnerAndMode: never open special files
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
