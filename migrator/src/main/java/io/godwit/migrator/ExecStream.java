package io.godwit.migrator;

import io.godwit.migrator.api.StreamReply;
import io.godwit.runtime.ExecProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The output of {@code exec?stream=true} as it comes, one JSON object a line: {@code {"stdout":B64}},
 * {@code {"stderr":B64}} (the bytes exactly, base64), {@code {}} after a few seconds of silence (a
 * write to a client that went away fails, and the command is killed then rather than running on for
 * nobody), and last {@code {"exitCode":N,"timedOut":BOOL}}. The daemon holds one 64 KiB buffer per
 * stream, whatever the command writes, and a slow reader slows the command down.
 */
final class ExecStream implements StreamReply.Writer {
    private static final int CHUNK = 64 * 1024;
    private static final long HEARTBEAT_MILLIS = 5000;

    private final ExecProcess process;
    private final Duration limit;
    private final Object lock = new Object();
    private long lastWrite = System.nanoTime();

    /** limit: how long the command may run (null: as long as the client stays). */
    ExecStream(ExecProcess process, Duration limit) {
        this.process = process;
        this.limit = limit;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException, InterruptedException {
        try (process) {
            // the end is awaited beside the pumps: at the limit it kills the command, which ends its output
            CompletableFuture<ExecProcess.Exit> end = process.awaitInBackground(limit);
            Thread err = Thread.ofVirtual().start(() -> pump(process.stderr(), "stderr", out));
            Thread heartbeat = Thread.ofVirtual().start(() -> beat(out));
            try {
                pump(process.stdout(), "stdout", out);
                err.join();
                ExecProcess.Exit exit = end.get();
                frame(out, "{\"exitCode\":" + exit.exitCode() + ",\"timedOut\":" + exit.timedOut() + "}");
            } catch (ExecutionException e) {
                throw new IOException("exec: " + e.getCause().getMessage(), e.getCause());
            } finally {
                heartbeat.interrupt();
            }
        }
    }

    /** Copies one output stream into frames; a failed write (the client left) kills the command. */
    private void pump(InputStream in, String stream, OutputStream out) {
        byte[] buf = new byte[CHUNK];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                frame(out, "{\"" + stream + "\":\"" + Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf, n)) + "\"}");
            }
        } catch (IOException e) {
            process.close();
        }
    }

    private void beat(OutputStream out) {
        try {
            while (process.isAlive()) {
                TimeUnit.MILLISECONDS.sleep(HEARTBEAT_MILLIS);
                if (System.nanoTime() - lastWrite > TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MILLIS)) {
                    frame(out, "{}");
                }
            }
        } catch (InterruptedException done) {
            // the command ended
        } catch (IOException gone) {
            process.close();
        }
    }

    private void frame(OutputStream out, String json) throws IOException {
        synchronized (lock) {
            out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            lastWrite = System.nanoTime();
        }
    }
}
