package io.godwit.migrator.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint whose files do not match its manifest: it is refused, never restored. */
public final class DamagedCheckpointException extends IOException {
    public DamagedCheckpointException(Path dir, String detail) {
        super("checkpoint " + dir.getFileName() + " is damaged: " + detail);
    }
}
