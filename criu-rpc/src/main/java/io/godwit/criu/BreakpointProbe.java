package io.godwit.criu;

import io.godwit.criu.internal.LibC;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Finds out, with a bounded time, whether this host delivers the hardware debug traps CRIU
 * 4.1 waits for (see {@link CriuLaunch}): checkpoints and restores a throwaway {@code sleep}
 * twice, first without breakpoints (which works wherever CRIU works at all, and tells how fast
 * CRIU is here), then with them, allowed many times that long. A trap that never comes shows
 * as a call that does not finish in that time; it is then killed, the helper with it.
 */
public final class BreakpointProbe {
    /** What the probe found. */
    public enum Verdict {
        /** Traps arrive: CRIU may use breakpoints (its faster default). */
        DELIVERED,
        /** Traps never arrive: every criu needs CRIU_FAULT=130. */
        NOT_DELIVERED,
        /** CRIU cannot checkpoint here even without breakpoints. */
        CRIU_FAILS
    }

    /**
     * @param withoutBreakpoints time of a dump plus restore without breakpoints (null if it failed)
     * @param withBreakpoints the same with breakpoints (null if it did not finish)
     * @param detail why, in words (the error, or what stalled)
     */
    public record Result(Verdict verdict, Duration withoutBreakpoints, Duration withBreakpoints, Duration bound,
                         String detail) {}

    // A wrong "not delivered" costs only a little speed (PTRACE_SYSCALL is safe everywhere); a
    // long bound costs every daemon start on a host without traps. So: short, scaled to how
    // fast CRIU is here right now (a loaded machine is slow at both).
    private static final Duration FLOOR = Duration.ofMillis(1000);
    private static final Duration CEILING = Duration.ofSeconds(5);
    private static final int SLACK = 4;
    private static final Duration FIRST_BOUND = Duration.ofSeconds(20);
    private static final Duration SLOW_BOUND = Duration.ofSeconds(60);

    private final Path criu;
    private final Path workDir;

    /** Runs {@code criu}; leaves its images and logs in {@code workDir} (emptied first). */
    public BreakpointProbe(Path criu, Path workDir) {
        this.criu = criu;
        this.workDir = workDir;
    }

    public Result run() throws IOException, InterruptedException {
        clear(workDir);
        Duration safe;
        try {
            safe = cycle(new CriuLaunch(false, FIRST_BOUND), workDir.resolve("without"), FIRST_BOUND);
        } catch (CriuStalledException | CriuCancelledException slow) {
            // slow is not broken: a heavily loaded machine took longer than the first bound
            try {
                safe = cycle(new CriuLaunch(false, SLOW_BOUND), workDir.resolve("without-again"), SLOW_BOUND);
            } catch (CriuException e) {
                return new Result(Verdict.CRIU_FAILS, null, null, SLOW_BOUND, e.getMessage());
            }
        } catch (CriuException e) {
            return new Result(Verdict.CRIU_FAILS, null, null, FIRST_BOUND, e.getMessage());
        }
        Duration bound = clamp(safe.multipliedBy(SLACK), FLOOR, CEILING);
        try {
            // Twice: a wrong "delivered" hangs real checkpoints, so one lucky cycle must not decide it.
            Duration fast = cycle(new CriuLaunch(true, bound), workDir.resolve("with"), bound);
            Duration again = cycle(new CriuLaunch(true, bound), workDir.resolve("with-again"), bound);
            return new Result(Verdict.DELIVERED, safe, fast.compareTo(again) > 0 ? fast : again, bound,
                    "two checkpoints and restores with breakpoints took " + fast.toMillis() + " and " + again.toMillis()
                            + " ms");
        } catch (CriuException e) {
            String why = e instanceof CriuStalledException s ? "stalled at '" + s.lastLine() + "'" : firstLine(e);
            return new Result(Verdict.NOT_DELIVERED, safe, null, bound, "with breakpoints CRIU did not finish within "
                    + bound.toMillis() + " ms (" + why + "); without them it took " + safe.toMillis() + " ms");
        }
    }

    private static Duration clamp(Duration d, Duration min, Duration max) {
        return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** Dump (which ends the helper) and restore of a fresh helper; the time of both. */
    private Duration cycle(CriuLaunch launch, Path images, Duration bound) throws IOException, InterruptedException,
            CriuException {
        Files.createDirectories(images);
        CriuClient client = new CriuClient(criu, launch.withStallTimeout(bound));
        Process helper = new ProcessBuilder("setsid", "sleep", "3600")
                .redirectInput(new File("/dev/null")).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int pid = (int) helper.pid();
        int restored = -1;
        long t0 = System.nanoTime();
        try {
            awaitExec(pid);
            CriuOptions opts = CriuOptions.builder().pid(pid).imagesDir(images).build();
            client.dump(opts, CriuNotifications.NONE, CriuCancel.after(bound.plusSeconds(1)));
            helper.waitFor(); // the dump ended it; its pid must be free for the restore
            CriuOptions back = CriuOptions.builder().imagesDir(images).build();
            restored = client.restore(back, CriuNotifications.NONE, CriuCancel.after(bound.plusSeconds(1))).pid();
            return Duration.ofNanos(System.nanoTime() - t0);
        } finally {
            helper.destroyForcibly();
            helper.waitFor();
            // a restored (or half-restored) helper has the helper's pid again; kill it only if it is one
            int left = restored > 0 ? restored : pid;
            if (isProbeSleep(left)) LibC.INSTANCE.kill(left, LibC.SIGKILL);
        }
    }

    /** Waits (briefly) until setsid has become sleep, so the dump sees the final process. */
    private static void awaitExec(int pid) throws InterruptedException {
        for (int i = 0; i < 200 && !isProbeSleep(pid); i++) Thread.sleep(5);
    }

    private static boolean isProbeSleep(int pid) {
        try {
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ').strip();
            return cmdline.equals("sleep 3600");
        } catch (IOException e) {
            return false;
        }
    }

    private static void clear(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        Files.createDirectories(dir);
    }
}
