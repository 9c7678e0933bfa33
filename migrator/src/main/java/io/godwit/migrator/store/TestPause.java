package io.godwit.migrator.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A test's handle on the store's timing: when the system property godwit.store.testPauseFile names
 * a file that exists, each chunk written or removed waits the milliseconds it holds, so that a test
 * can SIGKILL the daemon in the middle of a write or a GC. Without the property it costs nothing.
 */
final class TestPause {
    private static final String FILE = System.getProperty("godwit.store.testPauseFile");

    private TestPause() {
    }

    static void step() {
        if (FILE == null) {
            return;
        }
        try {
            Path f = Path.of(FILE);
            if (Files.isRegularFile(f)) {
                Thread.sleep(Long.parseLong(Files.readString(f).strip()));
            }
        } catch (IOException | NumberFormatException e) {
            // no pause
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
