package io.godwit.transfer;

/** Called on the sending thread after each chunk; must be quick. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (done, total, path) -> {};

    void progress(long bytesDone, long bytesTotal, String currentPath);
}
