package io.godwit.migrator.move;

import io.godwit.transfer.PeerSession;
import io.godwit.transfer.SyncMode;
import io.godwit.transfer.TreeStats;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The last rootfs sync of a lazy move, sent while CRIU dumps: once the container is frozen its
 * files no longer change, and the sync (a tree inventory and the files changed since the copy made
 * while it ran) then costs no downtime of its own. A separate TLS stream of the session, so it
 * shares nothing with the dump but the CPU.
 */
final class FinalRootfsSync implements AutoCloseable {
    private final CompletableFuture<TreeStats> done = new CompletableFuture<>();

    private FinalRootfsSync() {
    }

    /** Starts sending changes (the container must be frozen) as tree treeId. */
    static FinalRootfsSync start(PeerSession session, Path changes, String treeId, String name) {
        FinalRootfsSync s = new FinalRootfsSync();
        Thread.ofVirtual().name("rootfs-final-" + name).start(() -> {
            try {
                s.done.complete(session.sendTree(changes, treeId, SyncMode.INCREMENTAL, (d, t, p) -> { }));
            } catch (Throwable e) {
                s.done.completeExceptionally(e);
            }
        });
        return s;
    }

    /** Waits for the sync's end; its failure is the move's. */
    TreeStats await(Duration timeout) throws IOException {
        try {
            return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("final rootfs sync failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("final rootfs sync did not end within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the final rootfs sync");
        }
    }

    /** A move that failed meanwhile lets the sync end before it cleans up (bounded; its outcome no longer matters). */
    @Override
    public void close() {
        try {
            done.get(OutgoingMove.CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the move failed anyway, or fails at await
        }
    }
}
