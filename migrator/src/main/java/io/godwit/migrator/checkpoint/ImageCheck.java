package io.godwit.migrator.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The hashing of a checkpoint's CRIU images, run beside CRIU's restore instead of before it: the
 * restore reads the images once for CRIU and once for us at the same time (from the page cache),
 * instead of waiting for a whole pass of SHA-256 first. {@link #await} is called at CRIU's
 * post-restore notification, when every task is rebuilt but none has run an instruction: a
 * mismatch there makes CRIU kill the restored tree, so a damaged image never runs.
 *
 * <p>Everything else in the manifest (sizes, the rootfs changes, kinds) is checked before the
 * restore starts, see {@link ManifestIo#verify(Path, java.util.function.Predicate)}.
 */
final class ImageCheck implements AutoCloseable {
    private final Path dir;
    private final CompletableFuture<DamagedCheckpointException> result = new CompletableFuture<>();
    private final Thread thread;
    private volatile boolean cancelled;

    private ImageCheck(Path dir, List<ManifestFile> files) {
        this.dir = dir;
        this.thread = Thread.ofPlatform().daemon().name("image-check-" + dir.getFileName()).start(() -> run(files));
    }

    /** Starts hashing the given regular files of checkpoint directory {@code dir} against their entries. */
    static ImageCheck start(Path dir, List<ManifestFile> files) {
        return new ImageCheck(dir, files);
    }

    private void run(List<ManifestFile> files) {
        try {
            for (ManifestFile f : files) {
                if (cancelled) {
                    result.complete(new DamagedCheckpointException(dir, "its check was cancelled before " + f.path()));
                    return;
                }
                Path p = dir.resolve(f.path()).normalize();
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    result.complete(new DamagedCheckpointException(dir, f.path() + " is missing"));
                    return;
                }
                if (!ManifestIo.sha256(p).equals(f.sha256())) {
                    result.complete(new DamagedCheckpointException(dir, f.path() + " does not match its SHA-256"));
                    return;
                }
            }
            result.complete(null);
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    /** Waits for the hashing; throws the damage it found (naming the file), or why it could not hash. */
    void await() throws IOException, InterruptedException {
        DamagedCheckpointException damage = damage();
        if (damage != null) {
            throw damage;
        }
    }

    /** Waits for the hashing; the damage found, or null when every file matched. */
    DamagedCheckpointException damage() throws IOException, InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw new IOException("cannot check the images of checkpoint " + dir.getFileName(), e.getCause());
        }
    }

    /** Whether the hashing is over and found every file as its manifest says. */
    boolean passed() {
        return result.isDone() && !result.isCompletedExceptionally() && result.getNow(null) == null;
    }

    /** Stops hashing at the next file (a restore given up for another reason) and waits for the thread. */
    @Override
    public void close() {
        cancelled = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
