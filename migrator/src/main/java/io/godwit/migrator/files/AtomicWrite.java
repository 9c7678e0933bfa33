package io.godwit.migrator.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** A file that is either all there or not there after a crash: temp file, fsync, rename, fsync of the directory. */
public final class AtomicWrite {
    private AtomicWrite() {
    }

    /** A write that fails (a full disk, say) leaves the old file and no temp file behind. */
    public static void write(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            // 0600 from the start: manifests, journals and caches are the daemon's own business
            Files.write(Files.createFile(tmp, io.godwit.runtime.PrivateFiles.FILE), content);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof AtomicMoveNotSupportedException) {
                throw new IOException("cannot write " + target + " atomically", e);
            }
            throw e;
        }
        try (FileChannel d = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
