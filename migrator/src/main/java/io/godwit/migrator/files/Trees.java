package io.godwit.migrator.files;

import io.godwit.runtime.HostCommand;
import io.godwit.runtime.image.LayerCopy;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/** Whole directory trees: copied, removed and measured the way container root filesystems need. */
public final class Trees {
    private Trees() {
    }

    /**
     * Copies a container's change layer as it is (see {@link LayerCopy}: whiteouts, opaque
     * directories, holes, every xattr, hard links), which Files.copy does not; never use it to
     * write through a mounted overlay. A missing {@code from} gives an empty {@code to}.
     */
    public static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        if (Files.isDirectory(from)) {
            LayerCopy.copy(from, to);
        }
    }

    /** rm -rf that never crosses into a mount below (a container's rootfs, say). */
    public static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            HostCommand.run(List.of("rm", "-rf", "--one-file-system", "--", dir.toString()));
        }
    }

    /** Bytes of the regular files below dir (0 when it does not exist); symlinks are not followed. */
    public static long size(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long[] total = {0};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    total[0] += attrs.size();
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }
}
