package io.godwit.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host tool (tar, cp, mount, umount, ip) and turns a failure into an error carrying its
 * stderr. {@link #run} throws when the tool fails; {@link #attempt} hands back the outcome for
 * callers to whom failure is an answer (does this link exist?).
 */
public final class HostCommand {

    /** How long a tool may take unless the caller says otherwise (copies of big trees are slow). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

    /** The outcome of one command: its exit status and what it printed. */
    public record Result(List<String> command, int status, String stdout, String stderr) {
        public boolean ok() {
            return status == 0;
        }

        /** The error {@link #run} throws for this outcome. */
        public IOException failure() {
            return new IOException(String.join(" ", command) + " failed with status " + status + ": " + stderr.strip());
        }
    }

    private static final ExecutorService DRAINERS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("host-command-drain-", 0).factory());

    private HostCommand() {
    }

    /** Runs the command and returns its stdout; throws with the exit status and stderr when it fails. */
    public static String run(List<String> command) throws IOException {
        return run(command, DEFAULT_TIMEOUT);
    }

    public static String run(List<String> command, Duration timeout) throws IOException {
        Result r = attempt(command, timeout);
        if (!r.ok()) {
            throw r.failure();
        }
        return r.stdout();
    }

    /**
     * Runs the command and returns its outcome whatever its exit status; throws only when it
     * cannot be started, does not finish within {@code timeout} (it is killed) or is interrupted.
     */
    public static Result attempt(List<String> command, Duration timeout) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new IOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        // Both pipes are drained at once, off this thread, so that a chatty command cannot block on
        // a full pipe and the timeout holds while the command still has its pipes open.
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()), DRAINERS);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()), DRAINERS);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw new IOException(String.join(" ", command) + " did not finish within " + describe(timeout));
            }
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
        return new Result(List.copyOf(command), p.exitValue(), out.join(), err.join());
    }

    /** The command and whatever it started, which may hold its pipes open. */
    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static String describe(Duration d) {
        return d.toSeconds() % 60 == 0 && d.toMinutes() > 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }

    private static String drain(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read output: " + e + ")";
        }
    }
}
