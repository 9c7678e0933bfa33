package io.godwit.migrator.store;

import io.godwit.migrator.files.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Directories the store is done with (a dump's images once they are chunks, images assembled for a
 * restore that ended), taken out of the way at once by a rename into ROOT/store/trash and removed
 * there by one background thread: unlinking hundreds of MiB costs a checkpoint or a restore a few
 * hundred milliseconds it need not wait for. Whatever a killed daemon left in the trash is removed
 * at the next start.
 */
final class Trash implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Trash.class.getName());

    private final Path dir;
    private final ExecutorService cleaner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "store-trash");
        t.setDaemon(true);
        return t;
    });

    Trash(Path dir) throws IOException {
        this.dir = io.godwit.runtime.PrivateFiles.directory(dir);
        List<Path> left;
        try (Stream<Path> s = Files.list(dir)) {
            left = s.toList();
        }
        left.forEach(this::removeLater);
    }

    /** Takes p (a directory under the daemon's root) away now and removes it soon; a p on another file system is removed now. */
    void discard(Path p) throws IOException {
        Path t = dir.resolve(UUID.randomUUID().toString());
        try {
            Files.move(p, t, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException elsewhere) {
            Trees.delete(p);
            return;
        }
        removeLater(t);
    }

    private void removeLater(Path t) {
        cleaner.execute(() -> {
            try {
                Trees.delete(t);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "store: cannot remove " + t + " (the next start tries again)", e);
            }
        });
    }

    @Override
    public void close() {
        cleaner.shutdown();
    }
}
