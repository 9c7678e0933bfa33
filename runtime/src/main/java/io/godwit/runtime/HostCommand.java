package io.godwit.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a host tool (tar, cp, mount, umount) and turns a failure into an error carrying its stderr. */
public final class HostCommand {

    private static final long TIMEOUT_MINUTES = 30;

    private HostCommand() {
    }

    /** Runs the command and returns its stdout; throws with the exit status and stderr when it fails. */
    public static String run(List<String> command) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new IOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        // Both pipes are drained at once so that a chatty command cannot block on a full pipe.
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        String out = drain(p.getInputStream());
        try {
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + TIMEOUT_MINUTES + " min");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed with status " + p.exitValue() + ": "
                    + err.join().strip());
        }
        return out;
    }

    private static String drain(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read output: " + e + ")";
        }
    }
}
