package io.godwit.criu;

import java.nio.file.Path;
import java.util.List;

/** The request was cancelled through its {@link CriuCancel} (or timed out); criu was killed. */
public final class CriuCancelledException extends CriuException {
    CriuCancelledException(String request, String reason, Path imagesDir, Path logFile) {
        super(reason, request, 0, "", imagesDir, logFile, List.of(), null);
    }
}
