package io.godwit.criu;

import io.godwit.criu.internal.LibC;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** A real container dumped and restored by the real CRIU; the counter must go on counting. */
class DumpRestoreTest {
    private final CriuClient criu = HostCriu.client();

    static CriuOptions dumpOptions(TestContainer c) {
        return CriuOptions.builder().pid(c.pid).imagesDir(c.images).build();
    }

    static CriuOptions restoreOptions(TestContainer c, boolean rstSibling) {
        return CriuOptions.builder().imagesDir(c.images).root(c.rootfs).rstSibling(rstSibling).build();
    }

    static void awaitCountAbove(TestContainer c, long value) throws InterruptedException {
        for (int i = 0; i < 100 && c.count() <= value; i++) Thread.sleep(20);
        assertTrue(c.count() > value, "count did not go beyond " + value + " (now " + c.count() + ")");
    }

    @Test
    void dumpAndRestoreKeepsCounting() throws Exception {
        try (TestContainer c = TestContainer.start("/bin/counter", "20")) {
            awaitCountAbove(c, 3);
            RecordingNotifications dumpSeen = new RecordingNotifications();
            DumpResult d = criu.dump(dumpOptions(c), dumpSeen, CriuCancel.none());
            assertEquals(List.of("pre-dump", "network-lock", "query-ext-files", "post-dump"), dumpSeen.seen);
            assertFalse(d.restored());
            assertEquals(c.images.resolve("dump.log"), d.logFile());
            assertTrue(Files.exists(d.logFile()));
            for (int i = 0; i < 100 && TestContainer.alive(c.pid); i++) Thread.sleep(10);
            assertFalse(TestContainer.alive(c.pid), "dumped tree is gone (leave_running off)");
            long atDump = c.count();
            Thread.sleep(100);
            assertEquals(atDump, c.count(), "nothing counts while checkpointed");

            RecordingNotifications restoreSeen = new RecordingNotifications();
            RestoreResult r = criu.restore(restoreOptions(c, true), restoreSeen, CriuCancel.none());
            c.alsoKill(r.pid());
            assertEquals(List.of("pre-restore", "setup-namespaces", "post-setup-namespaces", "post-restore",
                    "network-unlock", "pre-resume", "post-resume"), restoreSeen.seen);
            assertEquals(r.pid(), restoreSeen.postRestorePid);
            assertTrue(TestContainer.alive(r.pid()));
            awaitCountAbove(c, atDump + 2);
            assertTrue(TestContainer.readOr(java.nio.file.Path.of("/proc/" + r.pid() + "/status"), "")
                    .contains("PPid:\t" + ProcessHandle.current().pid()), "rst_sibling makes the JVM its parent");
        }
    }

    @Test
    void restoreOverASocketFromAnotherSpawner() throws Exception {
        try (TestContainer c = TestContainer.start("/bin/counter", "20")) {
            awaitCountAbove(c, 2);
            criu.dump(dumpOptions(c));
            long atDump = c.count();
            // Stands in for Godwit's monitor: it gets the peer end and starts criu swrk with it as fd 3.
            try (CriuSocket socket = CriuSocket.pair()) {
                CriuProcess other = CriuProcess.spawn(java.nio.file.Path.of("criu"), socket.peerFd(), List.of(), null,
                        HostCriu.launch().environment());
                try {
                    RestoreResult r = criu.restoreOver(socket, restoreOptions(c, false));
                    c.alsoKill(r.pid());
                    assertEquals(-1, socket.peerFd(), "restoreOver closes the JVM's copy of the peer end");
                    awaitCountAbove(c, atDump + 2);
                } finally {
                    other.kill();
                    other.waitFor();
                }
            }
        }
    }

    @Test
    void preDumpThenDumpWithParent() throws Exception {
        try (TestContainer c = TestContainer.start("/bin/counter", "20")) {
            java.nio.file.Path pre = c.dir.resolve("pre");
            Files.createDirectories(pre);
            if (!criu.features().memTrack()) {
                CriuException e = assertThrows(CriuException.class,
                        () -> criu.preDump(CriuOptions.builder().pid(c.pid).imagesDir(pre).build()));
                assertTrue(e.getMessage().contains("soft-dirty"), e.getMessage());
                assertTrue(TestContainer.alive(c.pid));
                return;
            }
            criu.preDump(CriuOptions.builder().pid(c.pid).imagesDir(pre).build());
            assertTrue(TestContainer.alive(c.pid), "pre-dump leaves the tree running");
            criu.dump(CriuOptions.builder().pid(c.pid).imagesDir(c.images).parentImg("../pre").build());
            RestoreResult r = criu.restore(restoreOptions(c, true));
            c.alsoKill(r.pid());
            long n = c.count();
            awaitCountAbove(c, n + 2);
        }
    }

    @Test
    void failingCallbackAbortsTheDumpAndCarriesTheCause() throws Exception {
        try (TestContainer c = TestContainer.start("/bin/counter", "20")) {
            IllegalStateException boom = new IllegalStateException("no space for the images");
            CriuException e = assertThrows(CriuException.class, () -> criu.dump(dumpOptions(c), new CriuNotifications() {
                @Override public void networkLock() { throw boom; }
            }, CriuCancel.none()));
            assertSame(boom, e.getCause());
            assertTrue(e.getMessage().contains("network-lock"), e.getMessage());
            long n = c.count();
            awaitCountAbove(c, n + 2);
            assertNotEquals('T', TestContainer.state(c.pid));
            assertEquals(0, LibC.INSTANCE.kill(c.pid, 0));
        }
    }
}
