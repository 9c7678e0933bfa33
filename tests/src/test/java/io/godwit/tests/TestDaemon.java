package io.godwit.tests;

import io.godwit.migrator.cli.DaemonClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One godwitd of this test run in a throwaway directory of its own. {@link #close()} leaves nothing
 * behind: it deletes the daemon's containers, stops it and removes the directory (unmounting what is
 * still mounted under it), also when the daemon is already down or never started. Registered as a
 * test's extension ({@code @RegisterExtension}), it closes after each test by itself.
 */
final class TestDaemon implements AutoCloseable, AfterEachCallback {
    /** Started with no CRIU host probe to wait for: breakpoints off works on every host of this kind. */
    static final List<String> FAST_START = List.of("--criu-breakpoints", "off");

    final Path dir;
    final DaemonProcess process;
    private boolean closed;

    private TestDaemon(Path dir) {
        this.dir = dir;
        this.process = new DaemonProcess(dir);
    }

    /**
     * A fresh directory; the daemon is not started yet, so a test can put files into it first. Unchecked,
     * so that a test class can make one in a field initializer (JUnit makes an instance per test).
     */
    static TestDaemon inNewDir() {
        try {
            return new TestDaemon(TestHosts.runDir("godwit-e2e"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a directory for a test daemon", e);
        }
    }

    TestDaemon start(List<String> args) throws IOException, InterruptedException {
        process.start(args);
        return this;
    }

    DaemonClient client() {
        return process.client();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        close();
    }

    /** Idempotent: a test may close it early (before removing a user its container ran as, say). */
    @Override
    public void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        try {
            TestContainers.deleteAll(client());
        } catch (IOException down) {
            // the daemon is not answering (never started, killed by the test): nothing to ask it
        } finally {
            process.close();
            TestDirs.remove(dir);
        }
    }
}
