package io.godwit.migrator.cli;

import java.io.IOException;
import java.nio.file.Path;

/** Connecting to the daemon's socket failed: missing socket, refused, or no permission. */
public class DaemonUnreachableException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path socket;

    public DaemonUnreachableException(Path socket, IOException cause) {
        super("cannot reach godwitd at " + socket + ": " + describe(cause), cause);
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    /** What a person can do about it; the cause decides which hint is useful. */
    public String hint() {
        String m = String.valueOf(getCause() == null ? "" : getCause().getMessage()).toLowerCase();
        if (m.contains("permission") || m.contains("access denied")) {
            return "the socket is mode 0660: run as root or as a member of the socket's group";
        }
        return "is godwitd running? Start it, or point the CLI at its socket with --socket PATH or GODWIT_SOCKET";
    }

    private static String describe(IOException cause) {
        String m = cause.getMessage();
        return m == null || m.isBlank() ? cause.getClass().getSimpleName() : m;
    }
}
