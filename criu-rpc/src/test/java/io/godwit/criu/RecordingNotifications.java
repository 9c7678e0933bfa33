package io.godwit.criu;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the order of CRIU's notifications. */
class RecordingNotifications implements CriuNotifications {
    final List<String> seen = new CopyOnWriteArrayList<>();
    int setupNamespacesPid, postRestorePid;

    @Override public void preDump() { seen.add("pre-dump"); }
    @Override public void networkLock() throws Exception { seen.add("network-lock"); }
    @Override public void networkUnlock() { seen.add("network-unlock"); }
    @Override public void postDump() { seen.add("post-dump"); }
    @Override public void preRestore() { seen.add("pre-restore"); }
    @Override public void setupNamespaces(int pid) { seen.add("setup-namespaces"); setupNamespacesPid = pid; }
    @Override public void postSetupNamespaces() { seen.add("post-setup-namespaces"); }
    @Override public void postRestore(int pid) { seen.add("post-restore"); postRestorePid = pid; }
    @Override public void preResume() { seen.add("pre-resume"); }
    @Override public void postResume() { seen.add("post-resume"); }
    @Override public void other(String script, int pid) { seen.add(script); }
}
