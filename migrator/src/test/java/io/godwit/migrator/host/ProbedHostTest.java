package io.godwit.migrator.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.criu.CriuClient;
import io.godwit.criu.CriuLaunch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host that delivered the probe's traps but then lets a real call stall with breakpoints (seen
 * under heavy load on hosts of this kind): from then on every criu runs without them, and the cached
 * verdict says so for the next start. A setting that forces them on is the operator's to change.
 */
class ProbedHostTest {
    private static final Path CRIU = Path.of("criu");

    @TempDir
    Path root;

    private HostFacts deliveredHere() throws Exception {
        String kernel = HostProbe.read("/proc/sys/kernel/osrelease");
        String bootId = HostProbe.read("/proc/sys/kernel/random/boot_id");
        String version = new CriuClient(CRIU, CriuLaunch.defaults().withHardwareBreakpoints(false)).version().toString();
        return new HostFacts(kernel, bootId, version, "delivered", "two cycles with breakpoints passed", true, null,
                true, false, false, "nftables", true, null, 1 << 20, "v2", List.of(), 10, Instant.now().toString());
    }

    private static ProbedHost awaitFacts(ProbedHost h) throws InterruptedException {
        for (int i = 0; i < 300 && h.factsNow().isEmpty(); i++) {
            Thread.sleep(100);
        }
        assertTrue(h.factsNow().isPresent(), "the cached facts were read");
        return h;
    }

    @Test
    void aStallWithBreakpointsTurnsThemOffForGoodOnThisHost() throws Exception {
        HostProbe.writeCache(root, deliveredHere());
        ProbedHost host = awaitFacts(ProbedHost.start(CRIU, root, BreakpointMode.AUTO, Duration.ofSeconds(30)));
        assertTrue(host.launch().hardwareBreakpoints(), "the cached verdict: delivered");

        host.breakpointsStalled("DUMP", "Waiting for 4242 to trap");

        assertFalse(host.launch().hardwareBreakpoints());
        assertEquals("130", host.criuEnvironment().get("CRIU_FAULT"), "restores started by the monitor too");
        HostFacts now = host.factsNow().orElseThrow();
        assertEquals("not-delivered", now.breakpoints());
        assertTrue(now.breakpointDetail().contains("Waiting for 4242 to trap"), now.breakpointDetail());
        HostFacts cached = io.godwit.migrator.api.Json.MAPPER
                .readValue(root.resolve(HostProbe.CACHE).toFile(), HostFacts.class);
        assertEquals("not-delivered", cached.breakpoints(), "the next start does not try them again");
    }

    @Test
    void breakpointsForcedOnStayOn() throws Exception {
        HostProbe.writeCache(root, deliveredHere());
        ProbedHost host = awaitFacts(ProbedHost.start(CRIU, root, BreakpointMode.ON, Duration.ofSeconds(30)));
        host.breakpointsStalled("DUMP", "Waiting for 4242 to trap");
        assertTrue(host.launch().hardwareBreakpoints());
        assertTrue(Files.readString(root.resolve(HostProbe.CACHE)).contains("\"delivered\""));
    }
}
