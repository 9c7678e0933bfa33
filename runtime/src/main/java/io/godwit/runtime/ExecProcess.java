package io.godwit.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A command running in a container (see {@link ContainerRuntime#startExec}): its output as streams to
 * read as it comes, so that nothing holds more of it than the reader wants, and its end. Closing it
 * kills what is still running of it.
 */
public final class ExecProcess implements AutoCloseable {
    /** How a command ended: its exit code (-1 when it was killed at its time limit). */
    public record Exit(int exitCode, boolean timedOut) {
    }

    private final String container;
    private final Process process;
    private final Terminal terminal; // null: pipes

    ExecProcess(String container, Process process) {
        this(container, process, null);
    }

    ExecProcess(String container, Process process, Terminal terminal) {
        this.container = container;
        this.process = process;
        this.terminal = terminal;
    }

    /** The command's terminal, when it was started with one (-t): for its size. */
    public java.util.Optional<Terminal> terminal() {
        return java.util.Optional.ofNullable(terminal);
    }

    /** The command's stdin (a pipe when it was started with one; closing it is the command's end of input). */
    public java.io.OutputStream stdin() {
        return terminal != null ? terminal.input() : process.getOutputStream();
    }

    /**
     * Sends signal to the command and everything it started, as a terminal signals its foreground
     * group: to the processes below the helper that entered the container (which forks the command),
     * not to the helper, whose end would cut the command's output short; it ends when the command does.
     */
    public void signal(int signal) {
        process.descendants().forEach(d -> Posix.POSIX.kill((int) d.pid(), signal));
    }

    /** With a terminal: everything the command writes (a terminal has one output). */
    public InputStream stdout() {
        return terminal != null ? terminal.output() : process.getInputStream();
    }

    /** With a terminal: only what the helper says before the command runs (why it could not start it). */
    public InputStream stderr() {
        return process.getErrorStream();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * The end, awaited on a thread of its own (see {@link #await}): for callers that pump the output
     * meanwhile, since at the limit the kill is what ends the output.
     */
    public java.util.concurrent.CompletableFuture<Exit> awaitInBackground(Duration limit) {
        java.util.concurrent.CompletableFuture<Exit> end = new java.util.concurrent.CompletableFuture<>();
        Thread.ofVirtual().name("exec-end-" + container).start(() -> {
            try {
                end.complete(await(limit));
            } catch (IOException | RuntimeException e) {
                end.completeExceptionally(e);
            }
        });
        return end;
    }

    /** Waits for the end, at most limit (null: no limit); at the limit kills the command and all it started. */
    public Exit await(Duration limit) throws IOException {
        try {
            boolean done;
            if (limit == null) {
                process.waitFor();
                done = true;
            } else {
                done = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (!done) {
                kill();
                return new Exit(-1, true);
            }
            return new Exit(process.exitValue(), false);
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new IOException("container " + container + ": exec interrupted", e);
        }
    }

    /** The monitor forked the command into the container's pid namespace: kill it too, not only the monitor. */
    private void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (terminal != null) {
            terminal.close();
        }
    }
}
