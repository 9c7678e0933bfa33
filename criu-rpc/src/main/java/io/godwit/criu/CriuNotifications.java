package io.godwit.criu;

import io.godwit.criu.internal.LibC;

/**
 * Callbacks for CRIU's "action scripts", which swrk sends as NOTIFY messages when
 * {@code notify_scripts} is on (the client turns it on whenever a callback object other than
 * {@link #NONE} is given). Each runs on the requesting thread while CRIU waits for the answer;
 * returning answers "success", throwing answers "failure", which makes CRIU abort the request,
 * and the request then fails with the thrown exception as its cause.
 *
 * <p>Order on dump: preDump, networkLock, (query-ext-files via {@link #other}), postDump.
 * Order on restore: preRestore, setupNamespaces, postSetupNamespaces, postRestore,
 * networkUnlock, preResume, postResume. statusReady comes from lazy-pages / page-server dumps.
 */
public interface CriuNotifications {
    /** No callbacks and no notify_scripts: CRIU does not stop to ask. */
    CriuNotifications NONE = new CriuNotifications() {};

    default void preDump() throws Exception {}

    /** The tasks are frozen and their network is being locked: downtime starts. */
    default void networkLock() throws Exception {}

    default void networkUnlock() throws Exception {}

    default void postDump() throws Exception {}

    default void preRestore() throws Exception {}

    /** The restored root task exists with its namespaces; {@code pid} is its host pid (set up networks here). */
    default void setupNamespaces(int pid) throws Exception {}

    default void postSetupNamespaces() throws Exception {}

    /** Every task is restored but not yet running; {@code pid} is the root task's host pid. */
    default void postRestore(int pid) throws Exception {}

    default void preResume() throws Exception {}

    default void postResume() throws Exception {}

    /** The page server / lazy-pages side is ready for its client. */
    default void statusReady() throws Exception {}

    /**
     * CRIU passes the master side of an orphaned pty; {@code fd} is now a JVM fd owned by the
     * callback (close it when done). Called with -1 if CRIU sent no fd.
     */
    default void orphanPtsMaster(int fd) throws Exception {
        if (fd >= 0) LibC.INSTANCE.close(fd);
    }

    /** Any script name this interface does not know (e.g. "query-ext-files"); {@code pid} is 0 when none. */
    default void other(String script, int pid) throws Exception {}
}
