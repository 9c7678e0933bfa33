package io.godwit.criu;

import io.godwit.criu.internal.LibC;

/**
 * Reaps a child of the JVM that the JDK does not know about (a task restored with
 * rst_sibling), by its own pid, on a daemon thread: waitpid(-1) would steal the JDK's children.
 */
final class ChildReaper {
    private ChildReaper() {}

    static void reap(int pid) {
        if (pid <= 0) return;
        Thread t = new Thread(() -> {
            int[] status = new int[1];
            while (LibC.INSTANCE.waitpid(pid, status, 0) < 0 && LibC.errno() == 4) {
                // EINTR: wait again
            }
        }, "godwit-reap-" + pid);
        t.setDaemon(true);
        t.start();
    }
}
