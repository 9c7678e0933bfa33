package io.godwit.migrator.cli;

/** A failure the CLI reports with a message and a specific exit code (see {@link ExitCodes}). */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
