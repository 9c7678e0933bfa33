package io.godwit.criu;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe decides on the real CRIU of this host, and decides within its bound against one that stalls. */
class BreakpointProbeTest {
    @TempDir
    Path dir;

    @Test
    void realCriuCheckpointsHereWithOrWithoutBreakpoints() throws Exception {
        BreakpointProbe.Result r = HostCriu.probe();
        System.out.println("breakpoint probe: " + r);
        assertNotEquals(BreakpointProbe.Verdict.CRIU_FAILS, r.verdict(), r.detail());
        assertNotNull(r.withoutBreakpoints());
        if (r.verdict() == BreakpointProbe.Verdict.DELIVERED) {
            assertNotNull(r.withBreakpoints(), r.detail());
        } else {
            assertNull(r.withBreakpoints(), r.detail());
            assertTrue(r.detail().contains("did not finish"), r.detail());
        }
    }

    /**
     * A stand-in criu that works only when it gets CRIU_FAULT=130 (it runs the real criu then)
     * and otherwise stalls as CRIU does on a host without debug traps: the probe must say
     * NOT_DELIVERED within its bound and leave no helper behind.
     */
    @Test
    void aCriuThatHangsWithBreakpointsIsFoundOut() throws Exception {
        Path fake = dir.resolve("criu");
        Files.writeString(fake, """
                #!/bin/sh
                if [ "$CRIU_FAULT" = 130 ]; then exec criu "$@"; fi
                exec sleep 600
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        long t0 = System.nanoTime();
        BreakpointProbe.Result r = new BreakpointProbe(fake, dir.resolve("work")).run();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(BreakpointProbe.Verdict.NOT_DELIVERED, r.verdict(), r.detail());
        assertTrue(ms < r.bound().toMillis() + r.withoutBreakpoints().toMillis() + 15_000, "decided in " + ms + " ms");
        assertTrue(r.detail().contains("did not finish"), r.detail());
        assertFalse(ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("").equals("/usr/bin/sleep 3600")
                && p.parent().map(pp -> pp.pid() == ProcessHandle.current().pid()).orElse(false)), "no helper left");
    }

    @Test
    void aCriuThatCannotRunIsReported() throws Exception {
        BreakpointProbe.Result r = new BreakpointProbe(dir.resolve("no-such-criu"), dir.resolve("work")).run();
        assertEquals(BreakpointProbe.Verdict.CRIU_FAILS, r.verdict());
        assertTrue(r.detail().contains("no-such-criu"), r.detail());
    }
}
