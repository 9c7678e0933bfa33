package io.godwit.criu;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A cancellation token for one request (reusable across requests until cancelled).
 * {@link #cancel()} SIGKILLs the criu process of the request in flight (or, for a criu the
 * JVM did not spawn, shuts our end of the socket) and makes the call throw
 * {@link CriuCancelledException}. Cancelling before the request starts makes it fail at once.
 *
 * <p>When CRIU dies mid-dump the kernel detaches its ptrace, and the tasks resume; the client
 * additionally SIGCONTs and removes CRIU's network lock (see {@code DumpCleanup}) so the
 * dumped container keeps running.
 */
public final class CriuCancel {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "godwit-criu-timeout");
        t.setDaemon(true);
        return t;
    });

    private final Object lock = new Object();
    private boolean cancelled;
    private String reason = "cancelled";
    private Runnable killer;
    private ScheduledFuture<?> timer;

    /** A token nobody cancels. */
    public CriuCancel() {}

    public static CriuCancel none() {
        return new CriuCancel();
    }

    /** A token that cancels itself after {@code timeout} (counted from now). */
    public static CriuCancel after(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        CriuCancel c = new CriuCancel();
        c.timer = TIMER.schedule(() -> c.cancel("timed out after " + timeout.toMillis() + " ms"),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
        return c;
    }

    public void cancel() {
        cancel("cancelled");
    }

    private void cancel(String why) {
        Runnable k;
        synchronized (lock) {
            if (cancelled) return;
            cancelled = true;
            reason = why;
            k = killer;
        }
        if (k != null) k.run();
    }

    public boolean isCancelled() {
        synchronized (lock) {
            return cancelled;
        }
    }

    String reason() {
        synchronized (lock) {
            return reason;
        }
    }

    /** Registers how to stop the request in flight; runs it at once if already cancelled. */
    void attach(Runnable kill) {
        boolean now;
        synchronized (lock) {
            killer = kill;
            now = cancelled;
        }
        if (now) kill.run();
    }

    void detach() {
        synchronized (lock) {
            killer = null;
        }
    }

    /** Stops the timer of {@link #after}; harmless otherwise. */
    public void dispose() {
        if (timer != null) timer.cancel(false);
    }
}
