package io.godwit.migrator.metrics;

import io.godwit.criu.CriuCancelledException;
import io.godwit.criu.CriuException;
import io.godwit.criu.CriuStalledException;
import java.util.Optional;

/**
 * Why CRIU failed, as a label with few values: "stalled" (silent past its bound), "cancelled",
 * "errno_N" (CRIU answered with cr_errno N) or "no_errno" (it failed without one: died, refused
 * the request, left a broken image). Empty when the failure was not CRIU's.
 */
public final class CriuFailureCause {
    private CriuFailureCause() {
    }

    /** The request ("DUMP", "RESTORE", ...) and the cause, from the first CriuException in the chain. */
    public record Cause(String request, String cause) {
    }

    public static Optional<Cause> of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CriuException c) {
                String request = c.request() == null ? "unknown" : c.request().toLowerCase(java.util.Locale.ROOT);
                return Optional.of(new Cause(request, cause(c)));
            }
        }
        return Optional.empty();
    }

    private static String cause(CriuException c) {
        if (c instanceof CriuStalledException) {
            return "stalled";
        }
        if (c instanceof CriuCancelledException) {
            return "cancelled";
        }
        return c.crErrno() != 0 ? "errno_" + c.crErrno() : "no_errno";
    }
}
