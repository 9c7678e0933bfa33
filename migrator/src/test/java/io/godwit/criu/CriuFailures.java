package io.godwit.criu;

/** CRIU failures for tests outside this package (their constructors are the client's own). */
public final class CriuFailures {
    private CriuFailures() {
    }

    public static CriuException cancelled(String request) {
        return new CriuCancelledException(request, "test", null, null);
    }
}
