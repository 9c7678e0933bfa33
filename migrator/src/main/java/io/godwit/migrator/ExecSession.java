package io.godwit.migrator;

import io.godwit.migrator.api.UpgradeReply;
import io.godwit.migrator.cli.ExecFrames;
import io.godwit.runtime.ExecProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * An attached exec ({@code exec?attach=true}, see {@link ExecFrames}): what the client types goes
 * to the command's stdin as it comes, its output comes back as it is written, and the last frame
 * is its exit. A client that goes away ends the command (nothing runs on for nobody); the daemon
 * holds one 64 KiB buffer per direction.
 */
final class ExecSession implements UpgradeReply.Session {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ExecSession.class.getName());
    private static final int CHUNK = 64 * 1024;
    /** Signals a client may send (the ones a terminal sends, and the usual ways to end a program). */
    static final Set<Integer> SIGNALS = Set.of(1, 2, 3, 9, 10, 12, 15, 18, 19, 20, 28);

    private final ExecProcess process;
    private final Duration limit;
    private final Object writeLock = new Object();

    ExecSession(ExecProcess process, Duration limit) {
        this.process = process;
        this.limit = limit;
    }

    @Override
    public void run(InputStream fromClient, OutputStream toClient) throws IOException, InterruptedException {
        try (process) {
            CompletableFuture<ExecProcess.Exit> end = process.awaitInBackground(limit);
            Thread input = Thread.ofVirtual().start(() -> feed(fromClient));
            Thread err = Thread.ofVirtual().start(() -> pump(process.stderr(), ExecFrames.STDERR, toClient));
            try {
                pump(process.stdout(), ExecFrames.STDOUT, toClient);
                err.join();
                ExecProcess.Exit exit = end.get();
                send(toClient, ExecFrames.EXIT, ExecFrames.exit(exit.exitCode(), exit.timedOut()), 0, 5);
            } catch (ExecutionException e) {
                throw new IOException("exec: " + e.getCause().getMessage(), e.getCause());
            } finally {
                input.interrupt();
            }
        }
    }

    @Override
    public void abandon() {
        process.close();
    }

    /** The client's frames: stdin bytes, its end, signals. The client leaving ends the command. */
    private void feed(InputStream fromClient) {
        OutputStream stdin = process.stdin();
        try {
            ExecFrames.Frame f;
            while ((f = ExecFrames.read(fromClient)) != null) {
                switch (f.kind()) {
                    case ExecFrames.STDIN -> {
                        stdin.write(f.payload());
                        stdin.flush();
                    }
                    case ExecFrames.STDIN_EOF -> stdin.close();
                    case ExecFrames.SIGNAL -> {
                        int sig = f.payload().length == 1 ? f.payload()[0] & 0xff : -1;
                        if (SIGNALS.contains(sig)) {
                            process.signal(sig);
                        }
                    }
                    case ExecFrames.RESIZE -> {
                        if (f.payload().length == 4 && process.terminal().isPresent()) {
                            process.terminal().get().resize(f.columns(), f.rows());
                        }
                    }
                    default -> { } // kinds of later versions: nothing to do
                }
            }
            process.close(); // the client hung up
        } catch (IOException e) {
            if (process.isAlive() && !(e.getMessage() != null && e.getMessage().contains("Broken pipe"))) {
                LOG.info("exec session: input from the client failed (" + e.getMessage() + "): ending the command");
                process.close(); // a broken connection, not the command closing its stdin
            }
        }
    }

    private void pump(InputStream in, byte kind, OutputStream toClient) {
        byte[] buf = new byte[CHUNK];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                send(toClient, kind, buf, 0, n);
            }
        } catch (IOException e) {
            process.close(); // the client went away
        }
    }

    private void send(OutputStream out, byte kind, byte[] b, int off, int len) throws IOException {
        synchronized (writeLock) {
            ExecFrames.write(out, kind, b, off, len);
        }
    }
}
