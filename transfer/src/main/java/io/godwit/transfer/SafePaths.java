package io.godwit.transfer;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Turns names sent by a peer into paths below a target root without ever leaving it: only
 * relative names of plain components, and no parent directory may be a symbolic link (the
 * receiver never follows a link it finds or created inside the target). The final
 * component is never followed either: callers replace what is there instead of writing
 * through it.
 */
final class SafePaths {
    static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final int MAX_NAME = 4096;

    private SafePaths() {}

    /** Checks the shape of a peer-supplied relative name and returns its components. */
    static List<String> components(String rel) throws UnsafePathException {
        if (rel == null || rel.isEmpty()) throw new UnsafePathException("refusing an empty path from the peer");
        if (rel.length() > MAX_NAME) throw new UnsafePathException("refusing a path longer than " + MAX_NAME + " characters");
        if (rel.indexOf('\0') >= 0) throw new UnsafePathException("refusing path with a NUL character: " + printable(rel));
        if (rel.startsWith("/")) throw new UnsafePathException("refusing absolute path '" + printable(rel) + "'");
        List<String> parts = List.of(rel.split("/", -1));
        for (String c : parts) {
            if (c.isEmpty()) throw new UnsafePathException("refusing path with an empty component: '" + printable(rel) + "'");
            if (c.equals(".") || c.equals("..")) {
                throw new UnsafePathException("refusing path with a '" + c + "' component: '" + printable(rel) + "'");
            }
        }
        return parts;
    }

    /**
     * Resolves rel below root (a real path). Missing parent directories are created when
     * createParents is set; a parent that is a symbolic link or not a directory is refused.
     */
    static Path resolve(Path root, String rel, boolean createParents) throws IOException {
        List<String> parts = components(rel);
        Path p = root;
        for (int i = 0; i < parts.size() - 1; i++) {
            p = p.resolve(parts.get(i));
            BasicFileAttributes a = attrs(p);
            if (a == null) {
                if (!createParents) throw new NoSuchFileException(p.toString(), null, "parent directory missing for '" + rel + "'");
                Files.createDirectory(p); // mkdir never follows a link at p: it fails if anything appeared there
            } else if (a.isSymbolicLink()) {
                throw new UnsafePathException("refusing '" + printable(rel) + "': its parent '"
                        + root.relativize(p) + "' is a symbolic link inside the target");
            } else if (!a.isDirectory()) {
                throw new UnsafePathException("refusing '" + printable(rel) + "': its parent '"
                        + root.relativize(p) + "' is not a directory");
            }
        }
        return p.resolve(parts.get(parts.size() - 1));
    }

    /** Attributes of p itself (never of a link's target), or null if nothing is there. */
    static BasicFileAttributes attrs(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Deletes p and, if it is a real directory, everything below it; links are removed, not followed. */
    static void deleteRecursively(Path p) throws IOException {
        if (attrs(p) == null) return;
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) throw exc;
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(300).forEach(c -> {
            if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", c));
            else b.appendCodePoint(c);
        });
        return b.toString();
    }
}
