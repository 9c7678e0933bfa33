package io.godwit.migrator.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The advice chosen for CRIU log lines as CRIU 4.1.1 wrote them on this machine kind. */
class DumpAdviceTest {

    @Test
    void fsnotifyHandleNamesTheOverlayOptions() {
        Optional<String> a = DumpAdvice.of(List.of(
                "(00.079785) Warn  (criu/irmap.c:105): irmap: Can't stat /no-such-path: No such file or directory",
                "(00.079785) Error (criu/fsnotify.c:284): fsnotify: \tCan't dump that handle"));
        assertTrue(a.orElseThrow().contains("index=on,nfs_export=on"), a.toString());
    }

    @Test
    void externalUnixSocketNamesExtUnixSk() {
        Optional<String> a = DumpAdvice.of(List.of(
                "(00.1) Error (criu/sk-unix.c:887): sk unix: External socket is used. Consider using --ext-unix-sk option."));
        assertTrue(a.orElseThrow().contains("ext_unix_sk"), a.toString());
    }

    @Test
    void tcpOnThisKernelSaysNoOptionHelps() {
        Optional<String> a = DumpAdvice.of(List.of("(00.2) Error (criu/sockets.c:598): Can't get 1:16 opt: Operation not supported"));
        assertTrue(a.orElseThrow().contains("whatever the options"), a.toString());
    }

    @Test
    void bigGhostFileNamesTheLimit() {
        Optional<String> a = DumpAdvice.of(List.of(
                "(00.3) Error (criu/files-reg.c:950): Can't dump ghost file /tmp/x of 5242880 size, increase limit"));
        assertTrue(a.orElseThrow().contains("ghost_limit"), a.toString());
    }

    @Test
    void unknownCauseGivesNoAdvice() {
        assertEquals(Optional.empty(), DumpAdvice.of(List.of(
                "(00.0) Error (criu/util.c:1533): rlimit: Can't setup RLIMIT_NOFILE for self: Operation not permitted",
                "(00.4) Error (criu/cr-dump.c:2111): Dumping FAILED.")));
    }
}
