package io.godwit.transfer;

import io.godwit.proto.peer.EntryType;
import io.godwit.proto.peer.FileEntry;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks a tree in pre-order (a directory before its contents), without following links.
 * With detectHardLinks, the second and later names of a multiply-linked regular file
 * become HARDLINK entries pointing at the first name.
 */
final class TreeScanner {
    private TreeScanner() {}

    static List<FileEntry> scan(Path root, boolean detectHardLinks) throws IOException {
        List<FileEntry> out = new ArrayList<>();
        Map<String, String> firstName = new HashMap<>(); // "dev:ino" -> path
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root)) add(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                add(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof java.nio.file.NoSuchFileException) return FileVisitResult.CONTINUE; // vanished while scanning
                throw new TransferException("cannot read '" + file + "'", exc);
            }

            private void add(Path p) throws IOException {
                String rel = root.relativize(p).toString();
                FileEntry.Builder b;
                try {
                    b = FileMeta.read(p, rel);
                } catch (java.nio.file.NoSuchFileException e) {
                    return; // a running container deleted it between listing and reading
                }
                if (b == null) return;
                if (detectHardLinks && b.getType() == EntryType.REGULAR) {
                    var a = Files.readAttributes(p, "unix:nlink,dev,ino", SafePaths.NOFOLLOW);
                    if ((Integer) a.get("nlink") > 1) {
                        String key = a.get("dev") + ":" + a.get("ino");
                        String first = firstName.putIfAbsent(key, rel);
                        if (first != null) b.setType(EntryType.HARDLINK).setLinkTarget(first).setSize(0);
                    }
                }
                out.add(b.build());
            }
        });
        return out;
    }
}
