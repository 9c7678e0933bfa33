package io.godwit.migrator.move;

import io.godwit.criu.CriuCancel;
import io.godwit.criu.CriuClient;
import io.godwit.criu.CriuNotifications;
import io.godwit.migrator.checkpoint.DumpHold;
import io.godwit.criu.CriuOptions;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The source's half of post-copy: a lazy DUMP, which saves everything but the memory pages and
 * then serves those from CRIU's page server until the target's lazy-pages daemon has them all.
 * The page server listens on loopback only (a config file pins its address: CRIU ignores the
 * RPC's in lazy mode); the target's lazy-pages daemon reaches it through a tunnel that the target
 * opens over the daemons' TLS channel, which this daemon connects to the page server and to
 * nothing else. No relay of ours sits in the path of a page request.
 */
final class LazyPagesSender implements AutoCloseable {
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> dumpEnd = new CompletableFuture<>();
    private final CriuCancel cancel;
    private final PageServers offers;
    private final String tunnelId;
    private final long startedAt = System.nanoTime();
    private long servingNanos;

    private LazyPagesSender(CriuCancel cancel, PageServers offers, String tunnelId) {
        this.cancel = cancel;
        this.offers = offers;
        this.tunnelId = tunnelId;
    }

    /**
     * Starts the lazy dump (the tasks must be frozen) and returns once its page server listens,
     * offered to peer (the target) as tunnel tunnelId.
     */
    static LazyPagesSender dump(CriuClient criu, CriuOptions.Builder opts, DumpHold hold, Path workDir, CriuCancel cancel,
            String name, PageServers offers, String tunnelId, String peer) throws Exception {
        int port = freeLoopbackPort();
        Path conf = workDir.resolve("lazy-dump.conf");
        Files.writeString(conf, "address 127.0.0.1\nport " + port + "\n");
        CriuOptions o = opts.lazyPages(true).pageServer("127.0.0.1", port).configFile(conf).build();
        LazyPagesSender s = new LazyPagesSender(cancel, offers, tunnelId);
        CriuNotifications whenReady = hold.notifications(new CriuNotifications() {
            @Override
            public void statusReady() {
                s.ready.complete(null);
            }
        });
        Thread.ofVirtual().name("lazy-dump-" + name).start(() -> {
            try {
                criu.dump(o, whenReady, cancel);
                s.dumpEnd.complete(null);
            } catch (Throwable t) {
                s.ready.completeExceptionally(t);
                s.dumpEnd.completeExceptionally(t);
            }
        });
        try {
            await(s.ready, Duration.ofMinutes(5), "the lazy dump of " + name);
            offers.offer(tunnelId, peer, port);
        } catch (Exception e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** Waits for CRIU's page server to finish: it does once the target's lazy-pages has every page. */
    void awaitDumpEnd(Duration timeout) throws Exception {
        await(dumpEnd, timeout, "the end of the lazy dump");
        servingNanos = System.nanoTime() - startedAt;
    }

    long servingNanos() {
        return servingNanos;
    }

    private static void await(CompletableFuture<Void> f, Duration timeout, String what) throws Exception {
        try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : new IOException(what + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IOException(what + " did not come within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + what);
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops serving: a page server still running when the move ends (failed) is killed. */
    @Override
    public void close() {
        offers.withdraw(tunnelId);
        if (!dumpEnd.isDone()) {
            cancel.cancel();
        }
    }
}
