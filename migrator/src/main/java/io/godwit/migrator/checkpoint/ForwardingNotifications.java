package io.godwit.migrator.checkpoint;

import io.godwit.criu.CriuNotifications;

/** Passes every CRIU notification on to another callback object; subclasses add to one or two. */
class ForwardingNotifications implements CriuNotifications {
    private final CriuNotifications next;

    ForwardingNotifications(CriuNotifications next) {
        this.next = next;
    }

    @Override public void preDump() throws Exception { next.preDump(); }
    @Override public void networkLock() throws Exception { next.networkLock(); }
    @Override public void networkUnlock() throws Exception { next.networkUnlock(); }
    @Override public void postDump() throws Exception { next.postDump(); }
    @Override public void preRestore() throws Exception { next.preRestore(); }
    @Override public void setupNamespaces(int pid) throws Exception { next.setupNamespaces(pid); }
    @Override public void postSetupNamespaces() throws Exception { next.postSetupNamespaces(); }
    @Override public void postRestore(int pid) throws Exception { next.postRestore(pid); }
    @Override public void preResume() throws Exception { next.preResume(); }
    @Override public void postResume() throws Exception { next.postResume(); }
    @Override public void statusReady() throws Exception { next.statusReady(); }
    @Override public void orphanPtsMaster(int fd) throws Exception { next.orphanPtsMaster(fd); }
    @Override public void other(String script, int pid) throws Exception { next.other(script, pid); }
}
