package io.godwit.criu;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/** Killing criu mid-dump must leave the container running, unfrozen and with its network unlocked. */
class CancelTest {
    private final CriuClient criu = HostCriu.client();

    private static int okLines(TestContainer c) {
        return (int) TestContainer.readOr(c.file("/tmp/out.log"), "").lines().filter(l -> l.startsWith("ok ")).count();
    }

    private static void assertKeepsRunning(TestContainer c) throws Exception {
        int before = okLines(c);
        for (int i = 0; i < 150 && okLines(c) < before + 2; i++) Thread.sleep(20);
        assertTrue(okLines(c) >= before + 2, "memwriter goes on verifying after the cancel");
        char st = TestContainer.state(c.pid);
        assertTrue(st == 'R' || st == 'S', "state " + st);
        assertFalse(TestContainer.readOr(c.file("/tmp/out.log"), "").contains("CORRUPT"));
        Process p = new ProcessBuilder("nsenter", "-t", Integer.toString(c.pid), "-n", "nft", "list", "tables")
                .redirectErrorStream(true).start();
        String tables = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        assertFalse(tables.contains("CRIU"), "network lock removed: " + tables);
    }

    private static TestContainer memwriter() throws Exception {
        TestContainer c = TestContainer.start("/bin/memwriter", "256");
        for (int i = 0; i < 250 && okLines(c) < 1; i++) Thread.sleep(20);
        assertTrue(okLines(c) >= 1, "memwriter filled its memory");
        return c;
    }

    @Test
    void cancelAtNetworkLockLeavesTheContainerRunning() throws Exception {
        try (TestContainer c = memwriter()) {
            CriuCancel cancel = new CriuCancel();
            CriuCancelledException e = assertThrows(CriuCancelledException.class, () -> criu.dump(
                    CriuOptions.builder().pid(c.pid).imagesDir(c.images).build(),
                    new CriuNotifications() {
                        @Override public void networkLock() { cancel.cancel(); }
                    }, cancel));
            assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
            assertKeepsRunning(c);
        }
    }

    @Test
    void timeoutWhileWritingPagesLeavesTheContainerRunning() throws Exception {
        try (TestContainer c = memwriter()) {
            long t0 = System.nanoTime();
            CriuCancel cancel = CriuCancel.after(Duration.ofMillis(150));
            CriuCancelledException e = assertThrows(CriuCancelledException.class,
                    () -> criu.dump(CriuOptions.builder().pid(c.pid).imagesDir(c.images).build(), null, cancel));
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos());
            assertKeepsRunning(c);
        }
    }

    @Test
    void cancelledBeforeStartFailsAtOnce() throws Exception {
        Path dir = TestContainer.tempDir();
        try {
            CriuCancel cancel = new CriuCancel();
            cancel.cancel();
            assertThrows(CriuCancelledException.class,
                    () -> criu.dump(CriuOptions.builder().pid(1).imagesDir(dir).build(), null, cancel));
        } finally {
            TestContainer.deleteTree(dir);
        }
    }
}
