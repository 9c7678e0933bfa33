package io.godwit.criu;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A CRIU call was killed because its log showed no progress for the stall bound. The message
 * quotes what CRIU was doing last; a dump's tasks were resumed as after any failed dump.
 */
public final class CriuStalledException extends CriuException {
    private final Duration silentFor;
    private final String lastLine;

    CriuStalledException(String request, Duration silentFor, String lastLine, Path imagesDir, Path logFile,
                         List<String> excerpt) {
        super(describe(silentFor, lastLine), request, 0, "", imagesDir, logFile, excerpt, null);
        this.silentFor = silentFor;
        this.lastLine = lastLine;
    }

    private static String describe(Duration silentFor, String lastLine) {
        String hint = lastLine.contains("to trap") || lastLine.contains("seccomp: mode")
                ? " (CRIU waits for a hardware breakpoint trap that this host does not deliver: run `godwit doctor`;"
                        + " the daemon setting criuBreakpoints=off avoids it)"
                : " (run `godwit doctor` to see what this host can do)";
        return "criu made no progress for " + silentFor.toSeconds() + " s and was stopped; it was last at: '"
                + lastLine + "'" + hint;
    }

    public Duration silentFor() {
        return silentFor;
    }

    /** The last line CRIU wrote to its log before it went silent. */
    public String lastLine() {
        return lastLine;
    }
}
