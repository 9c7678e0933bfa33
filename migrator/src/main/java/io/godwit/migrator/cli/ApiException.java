package io.godwit.migrator.cli;

/**
 * The daemon answered with an error status. The message is the API's own error text, so the
 * CLI can show it unchanged; the status decides the exit code.
 */
public class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status (400, 404, 409, 500...). */
    public int status() {
        return status;
    }
}
