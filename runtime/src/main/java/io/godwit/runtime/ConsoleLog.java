package io.godwit.runtime;

/**
 * The bound on a container's console.log (its stdout and stderr, kept by the monitor): once it
 * would pass {@code maxBytes} it is rotated to console.log.1 ... console.log.{@code files} (the
 * oldest dropped), so a container writes at most about (files + 1) x maxBytes to disk.
 * {@code files} = 0 truncates instead of keeping older parts.
 */
public record ConsoleLog(long maxBytes, int files) {
    public static final ConsoleLog DEFAULT = new ConsoleLog(16L << 20, 2);

    public ConsoleLog {
        if (maxBytes < 4096) {
            throw new IllegalArgumentException("console log size must be at least 4096 bytes, not " + maxBytes);
        }
        if (files < 0 || files > 100) {
            throw new IllegalArgumentException("console log files must be 0 to 100, not " + files);
        }
    }

    /** The monitor's options that say it. */
    java.util.List<String> monitorArgs() {
        return java.util.List.of("--log-max", Long.toString(maxBytes), "--log-files", Integer.toString(files));
    }
}
