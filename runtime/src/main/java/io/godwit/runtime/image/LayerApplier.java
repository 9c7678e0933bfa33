package io.godwit.runtime.image;

import io.godwit.runtime.HostCommand;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies one image layer (a tar stream, already decompressed) onto a root filesystem tree being
 * built, the way OCI's image spec defines it: members are added or replace what lower layers left;
 * {@code .wh.NAME} deletes NAME of the lower layers; {@code DIR/.wh..wh..opq} empties DIR of what
 * lower layers put there (not of what this layer adds, wherever in the stream it comes).
 *
 * <p>Nothing may land outside the tree: names are relative without "..", and every parent path is
 * resolved inside the tree as a chroot would (a symlink {@code lib -> /usr/lib} made by an earlier
 * layer leads to {@code ROOT/usr/lib}, never to the host's), so a layer can neither write through
 * a symlink to the host nor hard-link a host file. Device nodes are refused (a container gets its
 * /dev from the runtime, and an image must not bring a door to a host device), and setuid/setgid
 * bits are dropped (an image must not bring setuid-root programs onto the host's disk); both
 * counted in {@link Result}.
 */
final class LayerApplier {

    static final String WHITEOUT = ".wh.";
    static final String OPAQUE = ".wh..wh..opq";
    private static final int MAX_SYMLINK_HOPS = 40;

    /** What one layer did: members written, paths deleted by whiteouts, setuid/setgid bits dropped. */
    record Result(int members, int whiteouts, int privilegeBitsDropped) {
    }

    private final Path root;
    private final String layer;
    private final Set<String> madeHere = new HashSet<>();

    private LayerApplier(Path root, String layer) {
        this.root = root;
        this.layer = layer;
    }

    /**
     * Applies the layer read from {@code tar} onto {@code root}; {@code layer} names it in errors
     * (e.g. "layer 2 (sha256:ab12...)").
     */
    static Result apply(Path root, InputStream tar, String layer) throws IOException {
        return new LayerApplier(root.toAbsolutePath().normalize(), layer).run(tar);
    }

    private Result run(InputStream tar) throws IOException {
        TarStream stream = new TarStream(tar, layer);
        int members = 0;
        int whiteouts = 0;
        int dropped = 0;
        for (TarEntry e = stream.next(); e != null; e = stream.next()) {
            String name = relative(e.name());
            String base = name.substring(name.lastIndexOf('/') + 1);
            String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : "";
            if (base.equals(OPAQUE)) {
                whiteouts += emptyDirectory(parent);
                continue;
            }
            if (base.startsWith(WHITEOUT)) {
                String victim = (parent.isEmpty() ? "" : parent + "/") + base.substring(WHITEOUT.length());
                if (!madeHere.contains(victim)) {
                    Path target = resolveParent(victim, true).resolve(victim.substring(victim.lastIndexOf('/') + 1));
                    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                        AtomicFiles.deleteTree(target);
                        whiteouts++;
                    }
                }
                continue;
            }
            if (name.isEmpty()) { // the tree's root itself: only its owner and mode
                if (e.type() == '5') {
                    dropped += setAttributes(root, e);
                }
                continue;
            }
            Path dir = resolveParent(name, false);
            Path target = dir.resolve(base);
            dropped += write(stream, e, name, target);
            madeHere.add(name);
            members++;
        }
        return new Result(members, whiteouts, dropped);
    }

    private int write(TarStream stream, TarEntry e, String name, Path target) throws IOException {
        switch (e.type()) {
            case '5' -> {
                if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    removeExisting(target);
                    Files.createDirectory(target);
                }
            }
            case '2' -> {
                removeExisting(target);
                // The target is kept as written: the container resolves it inside its own root.
                Files.createSymbolicLink(target, Path.of(e.linkName()));
            }
            case '1' -> {
                String to = relative(e.linkName());
                if (to.isEmpty()) {
                    throw refuse(e.name(), "is a hard link to the tree's root");
                }
                Path existing = resolveParent(to, true).resolve(to.substring(to.lastIndexOf('/') + 1));
                if (!Files.isRegularFile(existing, LinkOption.NOFOLLOW_LINKS)) {
                    throw refuse(e.name(), "is a hard link to '" + e.linkName() + "', which is no file of the image");
                }
                if (!existing.equals(target)) {
                    removeExisting(target);
                    Files.createLink(target, existing);
                }
                return 0; // the link shares the inode, and so the attributes, of its target
            }
            case '3', '4' -> throw refuse(e.name(), "is a device node: images may not bring device nodes");
            case '6' -> {
                removeExisting(target);
                HostCommand.run(List.of("mkfifo", target.toString()));
            }
            default -> {
                if (!e.isFile()) {
                    throw refuse(e.name(), "has the tar type '" + e.type() + "', which an image layer may not hold");
                }
                removeExisting(target);
                try (InputStream body = stream.body()) {
                    Files.copy(body, target);
                }
            }
        }
        return setAttributes(target, e);
    }

    /** Owner, mode (without setuid/setgid: returns 1 when it dropped them) and, for non-directories, mtime. */
    private int setAttributes(Path target, TarEntry e) throws IOException {
        Files.setAttribute(target, "unix:uid", (int) e.uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(target, "unix:gid", (int) e.gid(), LinkOption.NOFOLLOW_LINKS);
        if (e.type() == '2') {
            return 0; // a symlink's mode means nothing, and setting its time would follow it
        }
        int mode = e.mode() & 07777;
        int safe = mode & ~06000;
        Files.setAttribute(target, "unix:mode", safe, LinkOption.NOFOLLOW_LINKS);
        if (e.type() != '5') {
            Files.setLastModifiedTime(target, FileTime.fromMillis(e.mtimeSeconds() * 1000));
        }
        return mode != safe ? 1 : 0;
    }

    /** A member replaces what lower layers had at its path; a directory goes with its contents. */
    private static void removeExisting(Path target) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            AtomicFiles.deleteTree(target);
        }
    }

    private int emptyDirectory(String dirName) throws IOException {
        Path dir = dirName.isEmpty() ? root : resolveParent(dirName, true).resolve(
                dirName.substring(dirName.lastIndexOf('/') + 1));
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                String childName = (dirName.isEmpty() ? "" : dirName + "/") + child.getFileName();
                if (!madeHere.contains(childName)) {
                    AtomicFiles.deleteTree(child);
                    removed++;
                }
            }
        }
        return removed;
    }

    /**
     * The host directory holding {@code name}'s last component: every parent component resolved
     * inside the tree, symlinks followed as the container would see them ("/" is the tree's root,
     * ".." stops there). Missing parents are made (0755, root) unless {@code existingOnly}.
     */
    private Path resolveParent(String name, boolean existingOnly) throws IOException {
        int slash = name.lastIndexOf('/');
        if (slash < 0) {
            return root;
        }
        Path dir = resolveInside(name.substring(0, slash), 0);
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || existingOnly) {
            return dir; // with existingOnly, a missing parent simply holds nothing
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw refuse(name, "lies under " + root.relativize(dir) + ", which is not a directory");
        }
        Files.createDirectories(dir);
        return dir;
    }

    /** Resolves a relative path inside the tree, following symlinks within it (never out of it). */
    private Path resolveInside(String path, int hops) throws IOException {
        Path at = root;
        String[] parts = path.split("/");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                at = at.equals(root) ? root : at.getParent();
                continue;
            }
            Path next = at.resolve(part);
            if (Files.isSymbolicLink(next)) {
                if (hops >= MAX_SYMLINK_HOPS) {
                    throw refuse(path, "goes through more than " + MAX_SYMLINK_HOPS + " symlinks");
                }
                String link = Files.readSymbolicLink(next).toString();
                String rest = String.join("/", java.util.Arrays.copyOfRange(parts, i + 1, parts.length));
                String base = link.startsWith("/") ? "" : root.relativize(at).toString();
                String joined = (base.isEmpty() ? "" : base + "/") + link + (rest.isEmpty() ? "" : "/" + rest);
                return resolveInside(joined, hops + 1);
            }
            at = next;
        }
        if (!at.startsWith(root)) {
            throw refuse(path, "resolves outside the image");
        }
        return at;
    }

    /** The member's name relative to the tree: "./" and trailing "/" dropped; absolute or ".." refused. */
    private String relative(String name) throws IOException {
        if (name.startsWith("/")) {
            throw refuse(name, "is absolute");
        }
        StringBuilder out = new StringBuilder();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw refuse(name, "has a '..' component");
            }
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(part);
        }
        return out.toString();
    }

    private InvalidImageException refuse(String member, String why) {
        return new InvalidImageException("refusing " + layer + ": member '" + member + "' " + why);
    }
}
