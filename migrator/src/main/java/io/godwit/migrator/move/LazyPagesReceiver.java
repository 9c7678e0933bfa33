package io.godwit.migrator.move;

import io.godwit.transfer.PeerSession;
import io.godwit.transfer.Tunnel;
import java.io.IOException;
import java.nio.file.Files;
import io.godwit.criu.CriuClient;
import io.godwit.criu.CriuPidRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The target's half of post-copy: `criu lazy-pages` serves the restored tasks' page faults and
 * pulls every remaining page from the source's page server. It dials a loopback port: the local
 * end of a tunnel this daemon opens to the source over their TLS channel, which the source
 * connects straight to its page server. Pages never cross the network in clear, and no relay of
 * ours sits between a page request and its answer.
 */
final class LazyPagesReceiver implements AutoCloseable {
    /** Where lazy-pages listens for the restore's page requests: CRIU's name, in their shared work dir. */
    static final String SOCKET = "lazy-pages.socket";
    private static final Duration LISTEN_BOUND = Duration.ofSeconds(60);

    private final PeerSession toSource;
    private final Tunnel tunnel;
    private final Process lazyPages;
    private final Path log;
    private final CriuPidRecord pids;

    private LazyPagesReceiver(PeerSession toSource, Tunnel tunnel, Process lazyPages, Path log, CriuPidRecord pids) {
        this.pids = pids;
        this.toSource = toSource;
        this.tunnel = tunnel;
        this.lazyPages = lazyPages;
        this.log = log;
    }

    /**
     * Opens tunnel tunnelId on the session to the source (which this object then owns) and starts
     * lazy-pages on imagesDir; workDir must also be the restore's work directory, where the two
     * find each other's socket.
     */
    static LazyPagesReceiver start(CriuClient criu, PeerSession toSource, String tunnelId, Path imagesDir, Path workDir)
            throws IOException {
        Tunnel tunnel;
        try {
            tunnel = toSource.openTunnel(tunnelId);
        } catch (IOException | RuntimeException e) {
            toSource.close();
            throw new IOException("cannot start criu lazy-pages: " + e.getMessage(), e);
        }
        return start(criu, toSource, tunnel, imagesDir, workDir);
    }

    /**
     * As above with a tunnel opened earlier (a target prepared before the source froze); this object
     * then owns both, and closes them on failure too.
     */
    static LazyPagesReceiver start(CriuClient criu, PeerSession toSource, Tunnel tunnel, Path imagesDir, Path workDir)
            throws IOException {
        try {
            Files.createDirectories(workDir);
            ProcessBuilder pb = new ProcessBuilder(List.of(criu.binary().toString(), "lazy-pages", "--page-server", "--address", "127.0.0.1",
                    "--port", Integer.toString(tunnel.localAddress().getPort()), "--images-dir", imagesDir.toString(),
                    "--work-dir", workDir.toString(), "--log-file", "lazy-pages.log"))
                    .redirectErrorStream(true).redirectOutput(workDir.resolve("lazy-pages.out").toFile());
            // the same environment as every criu here (CRIU_FAULT on hosts without debug traps)
            pb.environment().clear();
            pb.environment().putAll(criu.launch().environment());
            Process p = pb.start();
            criu.pidRecord().started((int) p.pid()); // outlives a killed daemon: its next start stops it
            LazyPagesReceiver receiver = new LazyPagesReceiver(toSource, tunnel, p, workDir.resolve("lazy-pages.log"),
                    criu.pidRecord());
            try {
                receiver.awaitListening(workDir.resolve(SOCKET), LISTEN_BOUND);
            } catch (IOException | InterruptedException e) {
                receiver.close();
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("criu lazy-pages did not get ready: " + e.getMessage(), e);
            }
            return receiver;
        } catch (IOException | RuntimeException e) {
            tunnel.close();
            toSource.close();
            throw new IOException("cannot start criu lazy-pages: " + e.getMessage(), e);
        }
    }

    /**
     * Waits until lazy-pages listens for the restore: a restore that starts before its socket exists
     * fails with {@code uffd: connect to lazy-pages.socket failed} (seen under load, where a JVM-started
     * criu takes a while to get there).
     */
    private void awaitListening(Path socket, Duration bound) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!Files.exists(socket)) {
            if (!lazyPages.isAlive()) {
                throw new IOException("it exited with " + lazyPages.exitValue() + ": " + logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("no " + socket + " after " + bound.toSeconds() + " s: " + logTail());
            }
            Thread.sleep(5);
        }
    }

    /** Waits until lazy-pages got every page and exited; its exit status says whether it did. */
    void awaitAllPages(Duration timeout) throws IOException, InterruptedException {
        if (!lazyPages.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("criu lazy-pages still copying pages after " + timeout.toSeconds() + " s");
        }
        if (lazyPages.exitValue() != 0) {
            throw new IOException("criu lazy-pages failed (exit " + lazyPages.exitValue() + "): " + logTail());
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log).stream().filter(l -> l.contains("Error")).toList();
            return lines.isEmpty() ? "(no error in " + log + ")"
                    : String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "(no log " + log + ")";
        }
    }

    @Override
    public void close() {
        if (lazyPages.isAlive()) {
            lazyPages.destroyForcibly();
            try {
                lazyPages.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!lazyPages.isAlive()) {
            pids.ended((int) lazyPages.pid());
        }
        tunnel.close();
        toSource.close();
    }
}
