package io.godwit.criu;

import io.godwit.criu.internal.LibC;

/** Maps CRIU's script names (criu/action-scripts.c) to the callbacks. */
final class NotificationDispatch {
    private NotificationDispatch() {}

    static void dispatch(CriuNotifications n, String script, int pid, int fd) throws Exception {
        if (fd >= 0 && !"orphan-pts-master".equals(script)) LibC.INSTANCE.close(fd); // not expected: don't leak it
        switch (script) {
            case "pre-dump" -> n.preDump();
            case "network-lock" -> n.networkLock();
            case "network-unlock" -> n.networkUnlock();
            case "post-dump" -> n.postDump();
            case "pre-restore" -> n.preRestore();
            case "setup-namespaces" -> n.setupNamespaces(pid);
            case "post-setup-namespaces" -> n.postSetupNamespaces();
            case "post-restore" -> n.postRestore(pid);
            case "pre-resume" -> n.preResume();
            case "post-resume" -> n.postResume();
            case "status-ready" -> n.statusReady();
            case "orphan-pts-master" -> n.orphanPtsMaster(fd);
            default -> n.other(script, pid);
        }
    }
}
