package io.godwit.migrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading systemd's hand-over: which environments mean "serve on descriptor 3", and which are refused. */
class InheritedSocketTest {
    @TempDir Path dir;
    Path proc;
    Path netUnix;

    @BeforeEach
    void kernelTables() throws Exception {
        proc = Files.createDirectories(dir.resolve("self/fd")).getParent();
        netUnix = dir.resolve("unix");
        Files.writeString(netUnix, """
                Num       RefCount Protocol Flags    Type St Inode Path
                0000000029816ed7: 00000003 00000000 00000000 0001 03  1072
                000000002b6f8e02: 00000002 00000000 00010000 0001 01  4242 /run/godwit/godwit.sock
                000000002b6f8e03: 00000002 00000000 00010000 0001 01  4243 @abstract
                000000002b6f8e04: 00000002 00000000 00010000 0001 01  4244 /tmp/a dir/with space.sock
                """);
    }

    private void fd3(String target) throws Exception {
        Files.createSymbolicLink(proc.resolve("fd/3"), Path.of(target));
    }

    @Test
    void nothingHandedOverWithoutTheVariables() throws Exception {
        assertTrue(InheritedSocket.fromEnvironment(Map.of(), 77, proc, netUnix).isEmpty());
        assertTrue(InheritedSocket.fromEnvironment(Map.of("LISTEN_FDS", "1"), 77, proc, netUnix).isEmpty());
    }

    @Test
    void variablesForAnotherProcessAreIgnored() throws Exception {
        fd3("socket:[4242]");
        assertTrue(InheritedSocket.fromEnvironment(Map.of("LISTEN_PID", "76", "LISTEN_FDS", "1"), 77, proc, netUnix)
                .isEmpty());
    }

    @Test
    void oneUnixSocketIsTakenWithItsPath() throws Exception {
        fd3("socket:[4242]");
        InheritedSocket s = InheritedSocket.fromEnvironment(Map.of("LISTEN_PID", "77", "LISTEN_FDS", "1"), 77, proc,
                netUnix).orElseThrow();
        assertEquals(3, s.fd());
        assertEquals(Path.of("/run/godwit/godwit.sock"), s.path());
    }

    @Test
    void aPathWithSpacesIsKeptWhole() throws Exception {
        fd3("socket:[4244]");
        assertEquals(Path.of("/tmp/a dir/with space.sock"), InheritedSocket.fromEnvironment(
                Map.of("LISTEN_PID", "77", "LISTEN_FDS", "1"), 77, proc, netUnix).orElseThrow().path());
    }

    @Test
    void whatCannotBeServedIsRefusedWithTheReason() throws Exception {
        Map<String, String> one = Map.of("LISTEN_PID", "77", "LISTEN_FDS", "1");
        var notOpen = assertThrows(InheritedSocket.BadHandOverException.class,
                () -> InheritedSocket.fromEnvironment(one, 77, proc, netUnix));
        assertTrue(notOpen.getMessage().contains("descriptor 3 is not open"), notOpen.getMessage());

        var two = assertThrows(InheritedSocket.BadHandOverException.class, () -> InheritedSocket.fromEnvironment(
                Map.of("LISTEN_PID", "77", "LISTEN_FDS", "2"), 77, proc, netUnix));
        assertTrue(two.getMessage().contains("2 sockets"), two.getMessage());

        assertThrows(InheritedSocket.BadHandOverException.class, () -> InheritedSocket.fromEnvironment(
                Map.of("LISTEN_PID", "77", "LISTEN_FDS", "x"), 77, proc, netUnix));

        fd3("/var/log/some.log");
        var file = assertThrows(InheritedSocket.BadHandOverException.class,
                () -> InheritedSocket.fromEnvironment(one, 77, proc, netUnix));
        assertTrue(file.getMessage().contains("not a socket"), file.getMessage());
    }

    @Test
    void anAbstractOrTcpSocketIsRefused() throws Exception {
        fd3("socket:[4243]");
        var abstractOne = assertThrows(InheritedSocket.BadHandOverException.class, () -> InheritedSocket
                .fromEnvironment(Map.of("LISTEN_PID", "77", "LISTEN_FDS", "1"), 77, proc, netUnix));
        assertTrue(abstractOne.getMessage().contains("not a Unix socket bound to a path"), abstractOne.getMessage());
    }
}
