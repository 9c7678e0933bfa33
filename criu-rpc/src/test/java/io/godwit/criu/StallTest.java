package io.godwit.criu;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No CRIU call waits for ever: a criu that never answers (a stand-in executable that sleeps,
 * as a criu waiting for a debug trap that never comes) is stopped once its log stays silent
 * for the bound, and the error says so and points at `godwit doctor`.
 */
class StallTest {
    @TempDir
    Path dir;

    private Path silentCriu(String body) throws Exception {
        Path fake = dir.resolve("criu-that-stalls");
        Files.writeString(fake, "#!/bin/sh\n" + body + "\nexec sleep 600\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        return fake;
    }

    @Test
    void aDumpAgainstASilentCriuFailsWithinItsBoundAndTheTaskRuns() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        // the stand-in writes what a stalled CRIU last writes, then nothing
        Path criu = silentCriu("echo '(00.01) Waiting for 4242 to trap' > " + images.resolve("dump.log"));
        CriuClient client = new CriuClient(criu, CriuLaunch.defaults().withStallTimeout(Duration.ofSeconds(2)));
        try (TestContainer c = TestContainer.start("/bin/counter", "20")) {
            long t0 = System.nanoTime();
            CriuStalledException e = assertThrows(CriuStalledException.class,
                    () -> client.dump(CriuOptions.builder().pid(c.pid).imagesDir(images).build()));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            // the stand-in would sleep 600 s: far less proves the bound held (generous: a loaded machine is slow)
            assertTrue(took.compareTo(Duration.ofSeconds(120)) < 0, "stopped within its bound, took " + took);
            assertEquals("(00.01) Waiting for 4242 to trap", e.lastLine());
            assertTrue(e.getMessage().contains("godwit doctor"), e.getMessage());
            assertTrue(e.getMessage().contains("hardware breakpoint"), e.getMessage());
            assertTrue(TestContainer.alive(c.pid), "the task still runs");
            long before = c.count();
            for (int i = 0; i < 100 && c.count() <= before + 1; i++) Thread.sleep(20);
            assertTrue(c.count() > before + 1, "and goes on counting");
        }
    }

    @Test
    void aSilentCriuWithoutALogIsStoppedToo() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        CriuClient client = new CriuClient(silentCriu(""), CriuLaunch.defaults().withStallTimeout(Duration.ofSeconds(1)));
        CriuStalledException e = assertThrows(CriuStalledException.class, () -> client.cpuinfoDump(images));
        assertEquals(Duration.ofSeconds(1), e.silentFor());
        // no log at all (VERSION): the bound is on the whole call
        assertThrows(CriuStalledException.class, client::version);
    }

    @Test
    void theHostDecisionReachesCriuEnvironment() {
        assertEquals("130", CriuLaunch.defaults().withHardwareBreakpoints(false).environment().get("CRIU_FAULT"));
        assertNull(CriuLaunch.defaults().environment().get("CRIU_FAULT"), "breakpoints on: no fault injection");
        assertNull(CriuLaunch.defaults().extraEnvironment().get("CRIU_FAULT"));
    }
}
