package io.godwit.migrator.move;

import io.godwit.transfer.TunnelTarget;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The target's half of post-copy: `criu lazy-pages` serves the restored tasks' page faults and
 * pulls every remaining page from the source's page server. It can only dial a TCP address, so
 * it dials a loopback port of ours, which is joined to the tunnel that the source opens through
 * the daemons' TLS channel: pages never cross the network in clear.
 */
final class LazyPagesReceiver implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LazyPagesReceiver.class.getName());
    static final Path CRIU = Path.of(System.getProperty("godwit.criu", "criu"));

    private final ServerSocket fromTunnel;
    private final ServerSocket fromCriu;
    private final Process lazyPages;
    private final Path log;
    private volatile SocketRelay relay;

    private LazyPagesReceiver(ServerSocket fromTunnel, ServerSocket fromCriu, Process lazyPages, Path log) {
        this.fromTunnel = fromTunnel;
        this.fromCriu = fromCriu;
        this.lazyPages = lazyPages;
        this.log = log;
    }

    /**
     * Starts lazy-pages on imagesDir; workDir must also be the restore's work directory, where
     * the two find each other's socket.
     */
    static LazyPagesReceiver start(Path imagesDir, Path workDir, String name) throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        ServerSocket tunnel = new ServerSocket(0, 1, lo);
        ServerSocket criu = new ServerSocket(0, 1, lo);
        Process p;
        Path log = workDir.resolve("lazy-pages.log");
        try {
            Files.createDirectories(workDir);
            p = new ProcessBuilder(List.of(CRIU.toString(), "lazy-pages", "--page-server", "--address", "127.0.0.1",
                    "--port", Integer.toString(criu.getLocalPort()), "--images-dir", imagesDir.toString(),
                    "--work-dir", workDir.toString(), "--log-file", "lazy-pages.log"))
                    .redirectErrorStream(true).redirectOutput(workDir.resolve("lazy-pages.out").toFile()).start();
        } catch (IOException e) {
            tunnel.close();
            criu.close();
            throw new IOException("cannot start criu lazy-pages: " + e.getMessage(), e);
        }
        LazyPagesReceiver r = new LazyPagesReceiver(tunnel, criu, p, log);
        Thread.ofVirtual().name("lazy-join-" + name).start(r::joinWhenBothArrive);
        return r;
    }

    private void joinWhenBothArrive() {
        try {
            Socket t = fromTunnel.accept();
            Socket c = fromCriu.accept();
            relay = SocketRelay.join(c, t, "lazy-pages");
        } catch (IOException e) {
            LOG.log(Level.FINE, "lazy-pages relay not joined (closed)", e);
        } finally {
            closeQuietly(fromTunnel);
            closeQuietly(fromCriu);
        }
    }

    /** Where the source's tunnel stream for the pages is to be connected. */
    TunnelTarget tunnelTarget() {
        return new TunnelTarget("127.0.0.1", fromTunnel.getLocalPort());
    }

    /** Waits until lazy-pages got every page and exited; its exit status says whether it did. */
    long awaitAllPages(Duration timeout) throws IOException, InterruptedException {
        if (!lazyPages.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("criu lazy-pages still copying pages after " + timeout.toSeconds() + " s");
        }
        if (lazyPages.exitValue() != 0) {
            throw new IOException("criu lazy-pages failed (exit " + lazyPages.exitValue() + "): " + logTail());
        }
        SocketRelay r = relay;
        return r == null ? 0 : r.rightToLeftBytes();
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log).stream().filter(l -> l.contains("Error") || l.contains("rror ("))
                    .toList();
            return lines.isEmpty() ? "(no error in " + log + ")" : String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "(no log " + log + ")";
        }
    }

    @Override
    public void close() {
        if (lazyPages.isAlive()) {
            lazyPages.destroyForcibly();
        }
        closeQuietly(fromTunnel);
        closeQuietly(fromCriu);
        SocketRelay r = relay;
        if (r != null) {
            r.close();
        }
    }

    private static void closeQuietly(ServerSocket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
