package io.godwit.migrator.move;

import io.godwit.criu.CriuClient;
import io.godwit.migrator.api.ApiException;
import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.checkpoint.CheckpointService;
import io.godwit.migrator.ops.Operation;
import io.godwit.migrator.ops.OperationManager;
import io.godwit.migrator.peer.PeerLink;
import io.godwit.runtime.ContainerName;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.ContainerState;
import io.godwit.runtime.image.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;

/** Starts moves: checks what can be checked at once (a 4xx), then runs the move as an operation. */
public final class MoveService {
    private static final Logger LOG = Logger.getLogger(MoveService.class.getName());
    private final ContainerRuntime runtime;
    private final ImageStore images;
    private final CheckpointService checkpoints;
    private final CriuClient criu;
    private final PeerLink peers;
    private final Catalog catalog;
    private final OperationManager operations;
    private final Path workDir;
    private final PageServers pageServers;
    private final MoveJournal journal;

    public MoveService(ContainerRuntime runtime, ImageStore images, CheckpointService checkpoints, CriuClient criu, PeerLink peers, Catalog catalog,
            OperationManager operations, Path workDir, PageServers pageServers, Path journalDir) throws IOException {
        this.pageServers = pageServers;
        this.journal = new MoveJournal(journalDir);
        this.runtime = runtime;
        this.images = images;
        this.checkpoints = checkpoints;
        this.criu = criu;
        this.peers = peers;
        this.catalog = catalog;
        this.operations = operations;
        this.workDir = Files.createDirectories(workDir);
    }

    public Operation start(String name, String remote, String mode, String newName) throws Exception {
        MoveMode m = MoveMode.parse(mode);
        String as = newName == null || newName.isEmpty() ? name : newName;
        try {
            ContainerName.validate(as);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("new name: " + e.getMessage());
        }
        if (remote == null || remote.isEmpty()) {
            throw ApiException.badRequest("'remote' is required");
        }
        peers.remote(remote); // 404 when unknown
        ContainerState s = runtime.state(name);
        if (s.status() != ContainerState.Status.RUNNING) {
            throw ApiException.conflict("container " + name + " is " + s.status().name().toLowerCase()
                    + ": only a running container can be moved");
        }
        if (m == MoveMode.PRECOPY) {
            m.resolve(false, criu.features().memTrack(), false); // refuses with the reason before anything starts
        }
        OutgoingMove.Request req = new OutgoingMove.Request(name, remote, m, as);
        // One move, checkpoint or restore of a container at a time: a second is a 409 naming the first.
        return operations.start("move", name, checkpoints.claim(name, "move"),
                op -> new OutgoingMove(runtime, images, criu, peers, catalog, workDir, pageServers, journal, req, op).run());
    }

    /**
     * After a daemon stopped mid-move: the target of each journalled move still holds it, and if
     * the move froze its container here, the target may have restored it. The target is told to
     * drop the move and its copy; once it confirmed, a frozen container is thawed here. A target out of reach keeps the container frozen (retried in the
     * background, and again at the next start): never lost, never running twice.
     */
    public int recover() throws IOException {
        int n = 0;
        for (MoveJournal.Entry e : journal.unfinished()) {
            n++;
            ContainerState s;
            try {
                s = runtime.state(e.container());
            } catch (io.godwit.runtime.NoSuchContainerException gone) {
                journal.end(e.moveId()); // it had moved and was destroyed here; only the note was left
                continue;
            }
            TargetAbort abort = new TargetAbort(peers, runtime, journal, e.moveId(), e.container(), e.remote(), null);
            if (s.status() != ContainerState.Status.PAUSED) {
                abort.deliver("the source daemon restarted", false);
                journal.end(e.moveId());
            } else if (abort.deliver("the source daemon restarted during the move", true)) {
                runtime.resume(e.container());
                journal.end(e.moveId());
                LOG.warning("thawed " + e.container() + ": the daemon stopped during its move to " + e.remote()
                        + ", which dropped its copy");
            } else {
                LOG.warning(e.container() + " stays frozen: the daemon stopped during its move to " + e.remote()
                        + ", which cannot be asked yet whether it runs it");
            }
        }
        return n;
    }
}
