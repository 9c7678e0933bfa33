package io.godwit.criu;

import io.godwit.criu.internal.LibC;

/**
 * A running CRIU page server (PAGE_SERVER request). {@code port} is the TCP port it listens on
 * (0 when it was handed a connected socket). It is not the JVM's child: CRIU daemonizes it and
 * it exits by itself when its client has sent everything; {@link #close()} stops it early.
 */
public record PageServer(int pid, int port) implements AutoCloseable {
    /** SIGKILL to the page server (harmless when it already exited; pid reuse in the meantime is the accepted risk). */
    @Override
    public void close() {
        if (pid > 0) LibC.INSTANCE.kill(pid, LibC.SIGKILL);
    }

    public boolean isAlive() {
        return pid > 0 && LibC.INSTANCE.kill(pid, 0) == 0;
    }
}
