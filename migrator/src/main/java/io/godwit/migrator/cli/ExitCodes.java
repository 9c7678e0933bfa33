package io.godwit.migrator.cli;

/** What {@code godwit} exits with, so that scripts can tell failures apart without parsing text. */
public final class ExitCodes {
    private ExitCodes() {}

    public static final int OK = 0;
    /** The work itself failed: the daemon answered 500, or an operation ended in failure or was cancelled. */
    public static final int FAILED = 1;
    /** Bad command line (picocli), or the daemon rejected the input (400). */
    public static final int USAGE = 2;
    /** No such container, image, checkpoint, operation or remote (404). */
    public static final int NOT_FOUND = 3;
    /** Wrong state or name conflict (409), e.g. restoring over a running container. */
    public static final int CONFLICT = 4;
    /** The daemon's socket is missing, refuses connections, or may not be opened. */
    public static final int UNREACHABLE = 5;
    /** {@code wait --timeout} ran out while the operation was still running. */
    public static final int TIMEOUT = 6;

    /** The exit code for an HTTP error status. */
    public static int forStatus(int status) {
        return switch (status) {
            case 400, 422 -> USAGE;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            default -> FAILED;
        };
    }

    /** The table printed at the foot of {@code godwit --help}. */
    static final String FOOTER = """

            Exit codes:
              0  success
              1  the work failed (daemon error 500, operation failed or cancelled)
              2  usage error, or the daemon rejected the input (400)
              3  not found (404): container, image, checkpoint, operation or remote
              4  conflict or wrong state (409)
              5  godwitd unreachable (socket missing, connection refused, no permission)
              6  wait --timeout expired while the operation was still running
            `godwit exec` exits with the command's own exit code.

            Environment:
              GODWIT_SOCKET  the daemon's socket when --socket is not given""";
}
