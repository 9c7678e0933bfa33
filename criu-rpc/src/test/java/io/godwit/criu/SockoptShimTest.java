package io.godwit.criu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/**
 * The getsockopt shim preloaded into criu: installed once, private, handed to every criu; and with
 * it a process holding a listening TCP socket is dumped and restored, listening again (on Linux
 * 6.16+ CRIU 4.1.1 fails that dump with "Can't get 1:16 opt" on its own, see TcpDumpCheck).
 */
class SockoptShimTest {
    private static final int PORT = 7777;

    @Test
    void installedPrivatelyOnceAndPreloadedIntoEveryCriu() throws Exception {
        Path shim = SockoptShim.path();
        assertNotNull(shim, "the shim travels in the criu-rpc jar (built by its pom)");
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(shim));
        assertEquals(shim, SockoptShim.install(shim.getParent()), "the same bytes are written once");
        assertEquals(shim.toString(), CriuLaunch.defaults().environment().get(CriuLaunch.PRELOAD_VARIABLE));
        assertEquals(shim.toString(), CriuLaunch.defaults().withHardwareBreakpoints(false).extraEnvironment()
                .get(CriuLaunch.PRELOAD_VARIABLE), "the monitor's restores get it too");
    }

    @Test
    void aListeningTcpServerIsDumpedAndRestoredListening() throws Exception {
        CriuClient criu = HostCriu.client();
        try (TestContainer c = TestContainer.start("/bin/echoserver", Integer.toString(PORT))) {
            awaitListening(c.pid);
            criu.dump(DumpRestoreTest.dumpOptions(c));
            RestoreResult r = criu.restore(DumpRestoreTest.restoreOptions(c, false));
            c.alsoKill(r.pid());
            assertTrue(listening(r.pid()), "restored echoserver listens on " + PORT + " again:\n"
                    + TestContainer.readOr(Path.of("/proc", Integer.toString(r.pid()), "net", "tcp"), "(gone)"));
        }
    }

    private static void awaitListening(int pid) throws InterruptedException {
        for (int i = 0; i < 250 && !listening(pid); i++) {
            Thread.sleep(20);
        }
        assertTrue(listening(pid), "echoserver did not listen on " + PORT);
    }

    /** /proc/PID/net/tcp (its network namespace): local address *:PORT in state 0A (LISTEN). */
    private static boolean listening(int pid) {
        String tcp = TestContainer.readOr(Path.of("/proc", Integer.toString(pid), "net", "tcp"), "");
        String port = String.format(":%04X", PORT);
        return tcp.lines().map(String::trim).map(l -> l.split("\\s+"))
                .anyMatch(f -> f.length > 3 && f[1].endsWith(port) && f[3].equals("0A"));
    }
}
