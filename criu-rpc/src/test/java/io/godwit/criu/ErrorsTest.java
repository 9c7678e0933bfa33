package io.godwit.criu;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Failures must say what failed and why, in CRIU's words where CRIU knows. */
class ErrorsTest {
    private final CriuClient criu = HostCriu.client();

    @Test
    void badPidNamesTheRequestAndTheLogCause() throws Exception {
        Path dir = TestContainer.tempDir();
        try {
            CriuException e = assertThrows(CriuException.class,
                    () -> criu.dump(CriuOptions.builder().pid(4_000_000).imagesDir(dir).build()));
            String m = e.getMessage();
            assertEquals("DUMP", e.request());
            assertTrue(m.contains("criu DUMP failed"), m);
            assertTrue(m.contains(dir.resolve("dump.log").toString()), m);
            assertTrue(m.contains("4000000"), "the log excerpt names the pid: " + m);
            assertFalse(m.contains("RLIMIT_NOFILE"), "harmless lines are skipped: " + m);
            assertFalse(e.logExcerpt().isEmpty());
        } finally {
            TestContainer.deleteTree(dir);
        }
    }

    @Test
    void missingImagesDirIsRefusedBeforeCriu() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CriuOptions.builder().imagesDir(Path.of("/nonexistent/godwit-images")));
        assertTrue(e.getMessage().contains("imagesDir"), e.getMessage());
        assertTrue(e.getMessage().contains("/nonexistent/godwit-images"), e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> criu.dump(CriuOptions.builder().pid(1).build()));
        assertTrue(none.getMessage().contains("imagesDir"), none.getMessage());
    }

    @Test
    void restoreFromEmptyImagesDirCarriesCriusError() throws Exception {
        Path dir = TestContainer.tempDir();
        try {
            CriuException e = assertThrows(CriuException.class,
                    () -> criu.restore(CriuOptions.builder().imagesDir(dir).build()));
            assertEquals("RESTORE", e.request());
            assertTrue(e.getMessage().contains("Error"), e.getMessage());
            assertTrue(e.getMessage().contains("restore.log"), e.getMessage());
        } finally {
            TestContainer.deleteTree(dir);
        }
    }

    @Test
    void optionsAreValidatedWithTheirNames() {
        var b = CriuOptions.builder();
        assertMessage("pid", () -> b.pid(0));
        assertMessage("logFile", () -> b.logFile("../x.log"));
        assertMessage("logLevel", () -> b.logLevel(7));
        assertMessage("pageServer", () -> b.pageServer("127.0.0.1", 70000));
        assertMessage("extMnt", () -> b.extMnt("", "vol"));
        assertMessage("inheritFd", () -> b.inheritFd("pipe:[1]", -1));
        assertMessage("timeout", () -> b.timeout(Duration.ZERO));
        assertMessage("root", () -> b.root(Path.of("/nonexistent")));
        assertMessage("configFile", () -> b.configFile(Path.of("/nonexistent.conf")));
    }

    @Test
    void restoreOverRefusesJvmFds() throws Exception {
        Path dir = TestContainer.tempDir();
        try (CriuSocket s = CriuSocket.pair()) {
            CriuOptions o = CriuOptions.builder().imagesDir(dir).inheritFd("pipe:[1]", 0).build();
            assertMessage("inheritCriuFd", () -> criu.restoreOver(s, o));
        } finally {
            TestContainer.deleteTree(dir);
        }
    }

    @Test
    void logExcerptSkipsNoiseAndKeepsContext() {
        List<String> log = List.of(
                "(00.01) Error (criu/util.c:1533): rlimit: Can't setup RLIMIT_NOFILE for self: Operation not permitted",
                "(00.02) Version: 4.1.1",
                "Error (criu/util.c:641): execvp(\"iptables-save\", ...) failed: No such file or directory",
                "(00.03) Collecting task 12",
                "(00.04) Seizing task 12",
                "(00.05) Error (compel/src/lib/infect.c:123): Can't seize 12: No such process",
                "(00.06) Dumping FAILED.");
        List<String> ex = CriuLog.excerpt(log);
        assertEquals(List.of("(00.03) Collecting task 12", "(00.04) Seizing task 12",
                "(00.05) Error (compel/src/lib/infect.c:123): Can't seize 12: No such process"), ex);
    }

    private static void assertMessage(String option, org.junit.jupiter.api.function.Executable ex) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ex);
        assertTrue(e.getMessage().contains(option), e.getMessage());
    }
}
