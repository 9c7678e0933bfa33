package io.godwit.criu;

import io.godwit.criu.internal.LibC;
import java.nio.file.Path;
import java.util.List;

/**
 * A CRIU request failed. Checked on purpose: every caller must decide what a failed
 * checkpoint or restore means for its container.
 *
 * <p>Carries the request type, CRIU's cr_errno/cr_errmsg (0/empty when CRIU did not answer),
 * how criu ended if it died, the images dir and log path, and the meaningful part of the log
 * (CRIU's own message names only its first Error line, often the harmless RLIMIT one).
 */
public class CriuException extends Exception {
    private final String request;
    private final int crErrno;
    private final String crErrmsg;
    private final Path imagesDir;
    private final Path logFile;
    private final List<String> logExcerpt;

    CriuException(String summary, String request, int crErrno, String crErrmsg, Path imagesDir, Path logFile,
                  List<String> logExcerpt, Throwable cause) {
        super(compose(summary, request, crErrno, crErrmsg, imagesDir, logFile, logExcerpt), cause);
        this.request = request;
        this.crErrno = crErrno;
        this.crErrmsg = crErrmsg == null ? "" : crErrmsg;
        this.imagesDir = imagesDir;
        this.logFile = logFile;
        this.logExcerpt = List.copyOf(logExcerpt);
    }

    private static String compose(String summary, String request, int crErrno, String crErrmsg, Path imagesDir,
                                  Path logFile, List<String> excerpt) {
        StringBuilder b = new StringBuilder("criu ").append(request).append(" failed: ").append(summary);
        if (crErrno != 0) b.append("; cr_errno ").append(crErrno).append(" (").append(LibC.INSTANCE.strerror(crErrno)).append(')');
        // CRIU's message is its log's first Error line, on this platform usually the harmless
        // RLIMIT one: leave it to crErrmsg() then, the excerpt has the real cause.
        if (crErrmsg != null && !crErrmsg.isEmpty() && !CriuLog.harmless(crErrmsg)) b.append("; cr_errmsg: ").append(crErrmsg);
        if (imagesDir != null) b.append("; images ").append(imagesDir);
        if (logFile != null) b.append("; log ").append(logFile);
        if (!excerpt.isEmpty()) {
            b.append("\n  log:");
            for (String l : excerpt) b.append("\n    ").append(l);
        }
        return b.toString();
    }

    /** DUMP, RESTORE, CHECK, ... */
    public String request() {
        return request;
    }

    public int crErrno() {
        return crErrno;
    }

    public String crErrmsg() {
        return crErrmsg;
    }

    public Path imagesDir() {
        return imagesDir;
    }

    public Path logFile() {
        return logFile;
    }

    public List<String> logExcerpt() {
        return logExcerpt;
    }
}
