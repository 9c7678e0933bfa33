package io.godwit.migrator.move;

import io.godwit.criu.CriuCancel;
import io.godwit.criu.CriuClient;
import io.godwit.criu.CriuNotifications;
import io.godwit.criu.CriuSocket;
import io.godwit.criu.RestoreResult;
import io.godwit.migrator.checkpoint.RestoreOptions;
import io.godwit.migrator.files.Trees;
import io.godwit.migrator.ops.Operation;
import io.godwit.migrator.peer.PeerLink;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.ContainerState;
import io.godwit.runtime.RestoreLaunch;
import io.godwit.transfer.PeerSession;
import io.godwit.transfer.Tunnel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The target of a lazy move made ready while the source still runs the container: the container
 * made from the rootfs changes copied so far (rootfs mounted, cgroup made), its monitor spawned
 * with {@code criu swrk} waiting for the restore request, and the tunnel to the source's page
 * server open. After the freeze only CRIU's restore and the adoption remain, plus a swap of the
 * change layer when the container changed files after the copy.
 *
 * <p>Until {@link #restore} begins, {@link #discard} takes all of it away again: the monitor and
 * its criu, the cgroup, the mounted rootfs and the container directory, the tunnel.
 */
final class PreparedRestore {
    private static final Logger LOG = Logger.getLogger(PreparedRestore.class.getName());

    private final ContainerRuntime runtime;
    private final String moveId;
    private final String name;
    private final Path stagedRootfs;
    private final TreeListing copied;
    private final CriuSocket socket;
    private final RestoreLaunch launch;
    private PeerSession toSource;
    private Tunnel tunnel;

    private PreparedRestore(ContainerRuntime runtime, String moveId, String name, Path stagedRootfs, TreeListing copied,
            CriuSocket socket, RestoreLaunch launch, PeerSession toSource, Tunnel tunnel) {
        this.runtime = runtime;
        this.moveId = moveId;
        this.name = name;
        this.stagedRootfs = stagedRootfs;
        this.copied = copied;
        this.socket = socket;
        this.launch = launch;
        this.toSource = toSource;
        this.tunnel = tunnel;
    }

    /**
     * Makes container name from the rootfs changes staged so far and launches its restore; dials the
     * source at sourceAddress (pinning peer) and opens tunnel moveId to its page server. On failure
     * nothing of it is left.
     */
    static PreparedRestore prepare(ContainerRuntime runtime, PeerLink peers, String peer, String moveId, String name,
            io.godwit.runtime.ContainerSpec spec, String sourceAddress, Path stagedRootfs, Path workDir) throws Exception {
        if (!Files.isDirectory(stagedRootfs)) {
            throw new IOException("no rootfs changes of " + name + " arrived for move " + moveId);
        }
        TreeListing copied = TreeListing.of(stagedRootfs);
        Path changes = Files.createTempDirectory(workDir, "changes-");
        try {
            Trees.copy(stagedRootfs, changes); // the staged tree stays: the final rootfs sync updates it
            runtime.create(name, spec, changes);
        } finally {
            Trees.delete(changes);
        }
        CriuSocket socket = null;
        PeerSession toSource = null;
        boolean launched = false;
        try {
            socket = CriuSocket.pair();
            RestoreLaunch launch = runtime.launchRestore(name, socket.peerFd());
            launched = true;
            toSource = peers.dial(PeerLink.parseAddress(sourceAddress), peer);
            Tunnel tunnel = toSource.openTunnel(moveId);
            return new PreparedRestore(runtime, moveId, name, stagedRootfs, copied, socket, launch, toSource, tunnel);
        } catch (Exception | Error e) {
            if (toSource != null) {
                toSource.close();
            }
            if (socket != null) {
                socket.close();
            }
            removeContainer(runtime, name, launched, moveId);
            throw e;
        }
    }

    String name() {
        return name;
    }

    /** Whether the session to the source broke: a source that died never comes back for this move. */
    synchronized boolean sourceGone() {
        return toSource != null && !toSource.isOpen();
    }

    /** Starts lazy-pages on the tunnel opened at preparation, which it then owns. */
    synchronized LazyPagesReceiver startLazyPages(CriuClient criu, Path imagesDir, Path workDir) throws IOException {
        if (toSource == null) {
            throw new IllegalStateException("lazy-pages of move " + moveId + " started twice");
        }
        PeerSession s = toSource;
        Tunnel t = tunnel;
        toSource = null;
        tunnel = null;
        return LazyPagesReceiver.start(criu, s, t, imagesDir, workDir);
    }

    /**
     * The source froze and sent everything: the final rootfs changes in place if it changed files
     * after the copy, then CRIU's restore over the waiting criu, and the monitor adopts the tree.
     * On failure the container is removed (CRIU's log stays in workDir).
     */
    ContainerState restore(CriuClient criu, Path imagesDir, Map<String, String> stdioPipes, Path workDir,
            Operation op, String from) throws Exception {
        try {
            long t0 = System.nanoTime();
            op.phase("rootfs");
            boolean changed = !TreeListing.of(stagedRootfs).equals(copied);
            if (changed) {
                runtime.replaceRootfsChanges(name, stagedRootfs); // consumes the staged tree
            }
            runtime.shareImagesWithContainer(name, imagesDir);
            long t1 = System.nanoTime();
            op.phase("restore");
            CriuCancel cancel = new CriuCancel();
            RestoreResult result;
            try (var registration = op.onCancel(cancel::cancel)) {
                result = criu.restoreOver(socket,
                        RestoreOptions.of(launch, imagesDir, workDir, stdioPipes, true).build(), CriuNotifications.NONE,
                        cancel);
            }
            long t2 = System.nanoTime();
            ContainerState state = runtime.adoptRestored(name, result.pid());
            long t3 = System.nanoTime();
            LOG.info("restored " + name + " for move " + moveId + ": rootfs " + (t1 - t0) / 1_000_000 + " ms"
                    + (changed ? " (final changes swapped in)" : " (unchanged)") + ", criu restore "
                    + (t2 - t1) / 1_000_000 + " ms, adopt " + (t3 - t2) / 1_000_000 + " ms");
            return state;
        } catch (Exception | Error e) {
            removeContainer(runtime, name, true, moveId);
            throw new IOException("restore of " + name + " from " + from + " failed (CRIU log kept in " + workDir + ")",
                    e);
        } finally {
            socket.close();
        }
    }

    /** The move ends before the restore: everything made for it goes. */
    synchronized void discard(String why) {
        if (toSource != null) {
            toSource.close(); // closes the tunnel too
            toSource = null;
            tunnel = null;
        }
        socket.close();
        removeContainer(runtime, name, true, moveId);
        LOG.info("removed the container " + name + " prepared for move " + moveId + ": " + why);
    }

    private static void removeContainer(ContainerRuntime runtime, String name, boolean launched, String moveId) {
        try {
            if (launched) {
                runtime.abortRestore(name); // the monitor kills its waiting criu; the cgroup goes
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot stop the restore prepared for " + name + " (move " + moveId + ")", e);
        }
        try {
            runtime.delete(name, true);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot remove the container " + name + " prepared for move " + moveId, e);
        }
    }
}
