package io.godwit.criu;

import io.godwit.criu.internal.LibC;
import java.nio.file.Path;

/**
 * A directory opened by the JVM for one request. CRIU opens it again through
 * /proc/&lt;caller&gt;/fd/N, so it must stay open until the response has arrived.
 */
final class DirFd implements AutoCloseable {
    final int fd;

    private DirFd(int fd) {
        this.fd = fd;
    }

    /** Opens {@code dir}, or returns a holder of -1 for null. */
    static DirFd open(String option, Path dir) {
        if (dir == null) return new DirFd(-1);
        int fd = LibC.INSTANCE.open(dir.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new IllegalArgumentException("CRIU option " + option + ": cannot open " + dir + ": " + LibC.describe(LibC.errno()));
        }
        return new DirFd(fd);
    }

    @Override
    public void close() {
        if (fd >= 0) LibC.INSTANCE.close(fd);
    }
}
