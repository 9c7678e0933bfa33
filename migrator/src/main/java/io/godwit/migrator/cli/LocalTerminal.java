package io.godwit.migrator.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The terminal the CLI runs on, for {@code exec -t}: raw (every key goes to the remote command as
 * typed, ^C included) while the command runs, given back as it was afterwards, and its size told
 * to the command at the start and whenever it changes (SIGWINCH). Done with stty(1) on /dev/tty:
 * the JDK has no terminal modes of its own.
 */
final class LocalTerminal implements AutoCloseable {
    private static final File TTY = new File("/dev/tty");

    private final String saved;
    private boolean raw;

    private LocalTerminal(String saved) {
        this.saved = saved;
    }

    /** The terminal, if this command's stdin is one (stty -g on our own stdin succeeds only then). */
    static Optional<LocalTerminal> ofStdin() {
        try {
            Process p = new ProcessBuilder("stty", "-g").redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new LocalTerminal(out));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    void makeRaw() throws IOException {
        stty("raw", "-echo");
        raw = true;
    }

    /** {columns, rows}, if the terminal says. */
    Optional<int[]> size() {
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(TTY).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String[] rc = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip().split("\\s+");
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && rc.length == 2) {
                int columns = Integer.parseInt(rc[1]), rows = Integer.parseInt(rc[0]);
                if (columns > 0 && rows > 0) { // 0 0: a terminal that does not know its size
                    return Optional.of(new int[] {columns, rows});
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no size: the command assumes 80 x 24
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
    }

    /** Calls listener with {columns, rows} whenever the terminal is resized. */
    void onResize(Consumer<int[]> listener) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), s -> size().ifPresent(listener));
        } catch (IllegalArgumentException unsupported) {
            // no SIGWINCH here: the size stays what it was at the start
        }
    }

    private void stty(String... args) throws IOException {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("stty"));
        cmd.addAll(java.util.List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(TTY).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("stty " + String.join(" ", args) + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("stty interrupted", e);
        }
    }

    /** The terminal as it was. */
    @Override
    public void close() {
        if (raw) {
            try {
                stty(saved);
            } catch (IOException e) {
                System.err.println("godwit: could not restore the terminal (run 'stty sane'): " + e.getMessage());
            }
        }
    }
}
