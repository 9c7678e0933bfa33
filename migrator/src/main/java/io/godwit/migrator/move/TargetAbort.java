package io.godwit.migrator.move;

import io.godwit.migrator.api.Json;
import io.godwit.migrator.move.MoveProtocol.Abort;
import io.godwit.migrator.peer.PeerLink;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.ContainerState;
import io.godwit.transfer.CallReply;
import io.godwit.transfer.PeerSession;
import java.io.IOException;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells a move's target to drop everything of it, its copy of the container included. Tried at
 * once a few times (the failure may be the session itself), then, if the target stays unreachable
 * (cable cut, daemon down), in the background for RETRY_FOR. With thawWhenDone the container here,
 * kept frozen while the target might run it, is thawed once the target confirmed; the journal
 * entry of the move is ended when the outcome is settled.
 */
final class TargetAbort {
    private static final Logger LOG = Logger.getLogger(TargetAbort.class.getName());
    static final Duration RETRY_FOR = Duration.ofMinutes(10);

    private final PeerLink peers;
    private final ContainerRuntime runtime;
    private final MoveJournal journal;
    private final String moveId;
    private final String container;
    private final String remote;
    private volatile PeerSession session;

    TargetAbort(PeerLink peers, ContainerRuntime runtime, MoveJournal journal, String moveId, String container,
            String remote, PeerSession session) {
        this.peers = peers;
        this.runtime = runtime;
        this.journal = journal;
        this.moveId = moveId;
        this.container = container;
        this.remote = remote;
        this.session = session;
    }

    /** True when the target confirmed now; false when it could not be reached (retrying in the background). */
    boolean deliver(String reason, boolean thawWhenDone) {
        Abort abort = new Abort(moveId, reason);
        Exception last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                send(abort, attempt > 0);
                return true;
            } catch (Exception e) {
                last = e;
            }
        }
        LOG.log(Level.WARNING, "cannot reach " + remote + " to abort move " + moveId + "; retrying in the background", last);
        Thread.ofVirtual().name("abort-" + moveId).start(() -> keepTrying(thawWhenDone));
        return false;
    }

    private void keepTrying(boolean thawWhenDone) {
        long deadline = System.nanoTime() + RETRY_FOR.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                Thread.sleep(3000);
                send(new Abort(moveId, "the move failed earlier"), true);
                LOG.info("move " + moveId + " aborted on " + remote + " after all");
                if (thawWhenDone && runtime.state(container).status() == ContainerState.Status.PAUSED) {
                    runtime.resume(container);
                    LOG.warning(container + " thawed here: " + remote + " confirmed it dropped its copy");
                }
                journal.end(moveId);
                return;
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.log(Level.FINE, "abort of move " + moveId + " still undelivered", e);
            }
        }
        LOG.warning("gave up telling " + remote + " to abort move " + moveId
                + (thawWhenDone ? "; " + container + " stays paused here until an operator decides (or this daemon"
                        + " restarts and tries again)" : ""));
    }

    private void send(Abort abort, boolean redial) throws Exception {
        PeerSession s = session;
        if (s == null || !s.isOpen() || redial) {
            if (s != null) {
                peers.forget(remote, s);
            }
            s = peers.session(remote);
            session = s;
        }
        CallReply r = s.call(MoveProtocol.ABORT, Json.MAPPER.writeValueAsBytes(abort), Duration.ofSeconds(20));
        if (r.isError()) {
            throw new IOException(r.error().isEmpty() ? r.jsonText() : r.error());
        }
    }
}
