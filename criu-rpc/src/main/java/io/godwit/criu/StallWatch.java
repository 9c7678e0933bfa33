package io.godwit.criu;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Watches one CRIU call's log: CRIU at log level 4 writes as it works, so a log that does not
 * grow for the bound means CRIU waits for something that will not come (a debug trap the
 * hypervisor never delivers, a stopped task, a peer that vanished). Then it runs the stall
 * action once (which kills criu). Paused while the daemon's own callbacks run: CRIU waits for
 * us then, and that is not its stall.
 */
final class StallWatch implements AutoCloseable {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "godwit-criu-stall-watch");
        t.setDaemon(true);
        return t;
    });

    private final Path log;
    private final Duration bound;
    private final Runnable onStall;
    private final ScheduledFuture<?> tick;
    private long lastSize = -1;
    private long lastChange = System.nanoTime();
    private boolean paused;
    private boolean stalled;
    private boolean closed;
    private String lastLine = "";

    private StallWatch(Path log, Duration bound, Runnable onStall) {
        this.log = log;
        this.bound = bound;
        this.onStall = onStall;
        long period = Math.max(50, Math.min(1000, bound.toMillis() / 10));
        this.tick = TIMER.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    /** Starts watching; with no log file to watch, the bound is on the whole call. */
    static StallWatch start(Path log, Duration bound, Runnable onStall) {
        return new StallWatch(log, bound, onStall);
    }

    private void check() {
        boolean fire;
        synchronized (this) {
            // without a log (VERSION, FEATURE_CHECK: answered at once) the bound is on the whole call
            if (closed || stalled) return;
            long size = size();
            long now = System.nanoTime();
            if (size != lastSize || paused) {
                lastSize = size;
                lastChange = now;
                return;
            }
            fire = now - lastChange >= bound.toNanos();
            if (fire) {
                stalled = true;
                lastLine = log == null ? "(no log: criu did not answer)" : lastLine(log);
            }
        }
        if (fire) onStall.run();
    }

    private long size() {
        if (log == null) return -1;
        try {
            return Files.size(log);
        } catch (IOException e) {
            return -1; // not there yet: CRIU has not started writing
        }
    }

    /** CRIU waits for the daemon (a notification): silence is not CRIU's. */
    synchronized void pause() {
        paused = true;
    }

    synchronized void resume() {
        paused = false;
        lastChange = System.nanoTime();
    }

    synchronized boolean stalled() {
        return stalled;
    }

    synchronized String stalledAt() {
        return lastLine;
    }

    Duration bound() {
        return bound;
    }

    @Override
    public synchronized void close() {
        closed = true;
        tick.cancel(false);
    }

    /** The last non-empty line of the log (its last 4 KiB are enough). */
    static String lastLine(Path log) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            int n = (int) Math.min(4096, len);
            byte[] buf = new byte[n];
            f.seek(len - n);
            f.readFully(buf);
            String[] lines = new String(buf, StandardCharsets.ISO_8859_1).split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                if (!lines[i].isBlank()) return lines[i].strip();
            }
            return "";
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
