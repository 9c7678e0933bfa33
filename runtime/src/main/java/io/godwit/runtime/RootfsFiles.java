package io.godwit.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Writes a file into a container's root filesystem from the host without ever leaving it. The
 * rootfs holds whatever the container (or its checkpoint) put there, links included, and the host
 * resolves a path through it with the host's root: so no link is followed on the way. Every
 * directory on the path must be a real directory (a missing one is made, 0755), and the file is
 * written beside its name and renamed over it (a link of that name is replaced, not followed). Only
 * for a container that does not run (nothing inside can swap a directory for a link meanwhile).
 */
final class RootfsFiles {
    private RootfsFiles() {
    }

    static void write(Path rootfs, String containerPath, byte[] content) throws IOException {
        List<String> parts = parts(containerPath);
        Path dir = rootfs;
        for (String part : parts.subList(0, parts.size() - 1)) {
            dir = dir.resolve(part);
            if (Files.isSymbolicLink(dir)) {
                throw new IOException(rootfs.relativize(dir) + " is a symbolic link: not followed from the host");
            }
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            } else if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(rootfs.relativize(dir) + " is not a directory");
            }
        }
        Path file = dir.resolve(parts.get(parts.size() - 1));
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(containerPath + " is a directory");
        }
        Path temp = dir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try (SeekableByteChannel ch = Files.newByteChannel(temp,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")))) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** "/run/godwit/restored" -> [run, godwit, restored]; absolute, no "." or "..", not the root. */
    static List<String> parts(String containerPath) {
        if (containerPath == null || !containerPath.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute container path: " + containerPath);
        }
        List<String> parts = new ArrayList<>();
        for (String p : containerPath.split("/")) {
            if (p.equals(".") || p.equals("..")) {
                throw new IllegalArgumentException("'" + p + "' in container path " + containerPath);
            }
            if (!p.isEmpty()) {
                parts.add(p);
            }
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("container path names no file: " + containerPath);
        }
        return parts;
    }
}
