package io.godwit.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

/**
 * The two files through which a daemon arms the fence of a container's monitor (fence.c, and
 * docs/CLUSTER.md "Fencing"): STATE_DIR/fence, the deadline the daemon keeps pushing back, and
 * STATE_DIR/fenced, which the monitor writes when the deadline passed and it froze (or killed) the
 * container. The monitor outlives the daemon, so the fence holds when the daemon has crashed.
 */
final class MonitorFence {
    static final String FENCE = "fence";
    static final String FENCED = "fenced";

    private MonitorFence() {
    }

    /**
     * deadlineNanos is on System.nanoTime's clock, which on Linux is CLOCK_MONOTONIC, the monitor's
     * clock; the monitor never waits longer than window after it read the file, whatever the clock.
     * Written temp + rename, so the monitor never reads half a line; no fsync: a crash of the host
     * takes the monitor with it.
     */
    static void arm(Path dir, long deadlineNanos, Duration window, Duration freeze, String cgroupDir) throws IOException {
        String line = deadlineNanos + " " + window.toNanos() + " " + freeze.toNanos() + " " + cgroupDir + "\n";
        Path tmp = dir.resolve("." + FENCE + ".tmp");
        Files.writeString(tmp, line, StandardCharsets.US_ASCII);
        Files.move(tmp, dir.resolve(FENCE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static void disarm(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(FENCE));
    }

    static boolean armed(Path dir) {
        return Files.exists(dir.resolve(FENCE));
    }

    /** "frozen" or "killed" when the monitor fenced the container, empty when it did not. */
    static Optional<String> fenced(Path dir) throws IOException {
        try {
            String s = Files.readString(dir.resolve(FENCED), StandardCharsets.US_ASCII).strip();
            int sp = s.indexOf(' ');
            return Optional.of(sp < 0 ? s : s.substring(0, sp));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    static void clearFenced(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(FENCED));
    }

    /** A new run of the container starts unarmed and unfenced (a restore in the same directory, say). */
    static void clear(Path dir) throws IOException {
        disarm(dir);
        clearFenced(dir);
    }
}
