package io.godwit.criu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The next start of a daemon stops what its killed predecessor started, and nothing else: real
 * processes stand in for criu (the record only knows pids and start times).
 */
class CriuPidRecordTest {
    @TempDir
    Path dir;
    private Process leftOver;
    private Process stranger;

    @AfterEach
    void stop() {
        for (Process p : new Process[] {leftOver, stranger}) {
            if (p != null) p.destroyForcibly();
        }
    }

    private static Process sleeper() throws Exception {
        return new ProcessBuilder("sleep", "600").start();
    }

    @Test
    void aRecordedProcessStillRunningIsKilledAndItsNoteCleared() throws Exception {
        leftOver = sleeper();
        CriuPidRecord.in(dir.resolve("criu")).started((int) leftOver.pid());
        assertTrue(Files.exists(dir.resolve("criu").resolve(Long.toString(leftOver.pid()))));

        List<CriuPidRecord.Leftover> killed = CriuPidRecord.in(dir.resolve("criu")).killLeftovers(Duration.ofSeconds(10));

        assertEquals(1, killed.size(), killed.toString());
        assertEquals(leftOver.pid(), killed.get(0).pid());
        assertTrue(killed.get(0).commandLine().startsWith("sleep 600"), killed.get(0).commandLine());
        assertTrue(leftOver.waitFor(10, TimeUnit.SECONDS), "the recorded process survived");
        try (var notes = Files.list(dir.resolve("criu"))) {
            assertEquals(0, notes.count());
        }
    }

    @Test
    void aReusedPidIsLeftAlone() throws Exception {
        stranger = sleeper();
        // the note's start time is not the stranger's: its pid once belonged to a criu of ours
        Path notes = Files.createDirectories(dir.resolve("criu"));
        long realStart = CriuPidRecord.ProcStat.startTime((int) stranger.pid());
        Files.writeString(notes.resolve(Long.toString(stranger.pid())), Long.toString(realStart - 1));

        List<CriuPidRecord.Leftover> killed = CriuPidRecord.in(notes).killLeftovers(Duration.ofSeconds(1));

        assertEquals(List.of(), killed);
        assertTrue(stranger.isAlive(), "a process that merely reuses a recorded pid was killed");
        assertFalse(Files.exists(notes.resolve(Long.toString(stranger.pid()))), "the stale note was kept");
    }

    @Test
    void notesOfProcessesThatEndedAreDropped() throws Exception {
        Process done = new ProcessBuilder("true").start();
        CriuPidRecord record = CriuPidRecord.in(dir.resolve("criu"));
        record.started((int) done.pid());
        done.waitFor();
        record.ended((int) done.pid());
        Files.writeString(dir.resolve("criu").resolve("999999999"), "12345"); // no such pid
        Files.writeString(dir.resolve("criu").resolve("junk"), "x");

        assertEquals(List.of(), CriuPidRecord.in(dir.resolve("criu")).killLeftovers(Duration.ofSeconds(1)));
        try (var notes = Files.list(dir.resolve("criu"))) {
            assertEquals(0, notes.count());
        }
    }

    @Test
    void theRecordIsReadableByRootOnly() throws Exception {
        CriuPidRecord.in(dir.resolve("criu"));
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("criu"))));
    }
}
