package io.godwit.migrator.ops;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** One piece of long work (checkpoint, restore, ...): its progress is read while it runs. */
public final class Operation {
    private final String id;
    private final String kind;
    private final String target;
    private final Instant createdAt;
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicBoolean cancelRequested = new AtomicBoolean();
    /** Set at the point of no return: from then on a cancel is refused (guarded by this). */
    private String committedAt;
    private volatile String status = "running";
    private volatile String phase = "queued";
    private volatile long bytesDone;
    private volatile long bytesTotal;
    private volatile Instant finishedAt;
    private volatile String error;
    private volatile Map<String, Object> result = Map.of();
    private final java.util.Set<Runnable> cancelActions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Milliseconds spent in each phase so far, in the order they were entered. */
    private final Map<String, Long> phaseMillis = new java.util.LinkedHashMap<>();
    private long phaseStartedNanos = System.nanoTime();

    Operation(String id, String kind, String target) {
        this(id, kind, target, Instant.now());
    }

    private Operation(String id, String kind, String target, Instant createdAt) {
        this.id = id;
        this.kind = kind;
        this.target = target;
        this.createdAt = createdAt;
    }

    /**
     * An operation of an earlier run of the daemon, as the catalog kept it: finished (or
     * interrupted by the daemon's stop), so it can be waited on and shown, but not cancelled.
     */
    static Operation restored(String id, String kind, String target, Instant createdAt, String status, Instant finishedAt,
            String error, Map<String, Object> result) {
        Operation op = new Operation(id, kind, target, createdAt);
        op.status = status;
        op.error = error;
        op.result = result == null ? Map.of() : result;
        op.phase = "done";
        op.finishedAt = finishedAt == null ? createdAt : finishedAt;
        op.done.countDown();
        return op;
    }

    public String getId() { return id; }
    public String getKind() { return kind; }
    public String getTarget() { return target; }
    public String getStatus() { return status; }
    public String getPhase() { return phase; }
    public long getBytesDone() { return bytesDone; }
    public long getBytesTotal() { return bytesTotal; }
    public Instant getCreatedAt() { return createdAt; }
    public Instant getFinishedAt() { return finishedAt; }
    public String getError() { return error; }
    public Map<String, Object> getResult() { return result; }

    /** Where the time went: milliseconds per phase, the one running included so far. */
    public synchronized Map<String, Long> getPhases() {
        Map<String, Long> out = new java.util.LinkedHashMap<>(phaseMillis);
        if (finishedAt == null) {
            out.merge(phase, (System.nanoTime() - phaseStartedNanos) / 1_000_000, Long::sum);
        }
        return out;
    }

    public synchronized void phase(String phase) {
        closePhase();
        this.phase = phase;
    }

    private void closePhase() {
        long now = System.nanoTime();
        phaseMillis.merge(phase, (now - phaseStartedNanos) / 1_000_000, Long::sum);
        phaseStartedNanos = now;
    }

    public void progress(long done, long total) {
        this.bytesDone = done;
        this.bytesTotal = total;
    }

    @JsonIgnore
    public boolean isCancelRequested() {
        return cancelRequested.get();
    }

    /** A cancel action that holds while a step runs; closing it ends the step's claim. */
    public interface CancelRegistration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * What to do on cancel while a step runs (e.g. kill its criu). Several steps may run at once
     * (a warm start restores many containers): a cancel reaches every one registered.
     */
    public CancelRegistration onCancel(Runnable action) {
        cancelActions.add(action);
        if (cancelRequested.get()) {
            action.run();
        }
        return () -> cancelActions.remove(action);
    }

    /**
     * Asks the operation to stop. Refused (false) once it passed its point of no return: what it
     * does then (a move's target runs the container) can no longer be undone, so it finishes.
     */
    boolean requestCancel() {
        synchronized (this) {
            if (committedAt != null) {
                return false;
            }
            if (!cancelRequested.compareAndSet(false, true)) {
                return true;
            }
        }
        cancelActions.forEach(Runnable::run);
        return true;
    }

    /**
     * The point of no return (a move about to order the target's restore): from here on cancels
     * are refused. A cancel that came first wins: this throws, and the operation must undo.
     */
    public void commit(String where) {
        synchronized (this) {
            if (!cancelRequested.get()) {
                committedAt = where;
                return;
            }
        }
        throw new java.util.concurrent.CancellationException("cancelled before " + where);
    }

    /** Whether a cancel can still stop it: running and not past its point of no return. */
    public synchronized boolean isCancellable() {
        return finishedAt == null && committedAt == null;
    }

    synchronized void finish(String status, String error, Map<String, Object> result) {
        closePhase();
        this.status = status;
        this.error = error;
        this.result = result == null ? Map.of() : result;
        this.phase = "done";
        this.finishedAt = Instant.now();
        done.countDown();
    }

    @JsonIgnore
    public boolean isRunning() {
        return finishedAt == null;
    }

    public boolean await(long timeoutMillis) throws InterruptedException {
        return done.await(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
