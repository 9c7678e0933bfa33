package io.godwit.migrator.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** StoppedTasks on real processes: a shell whose child is stopped, then continued. */
class StoppedTasksTest {

    @Test
    void findsAStoppedChildAndNothingOnceItRunsAgain() throws Exception {
        Path pidFile = Files.createTempFile("stopped-child-", ".pid");
        Process sh = new ProcessBuilder("sh", "-c", "sleep 60 & echo $! > " + pidFile + "; kill -STOP $!; wait").start();
        try {
            int child = awaitPid(pidFile);
            List<Integer> stopped = List.of();
            for (int i = 0; i < 100 && stopped.isEmpty(); i++) {
                stopped = StoppedTasks.under((int) sh.pid());
                Thread.sleep(20);
            }
            assertEquals(List.of(child), stopped);
            new ProcessBuilder("kill", "-CONT", Integer.toString(child)).start().waitFor(5, TimeUnit.SECONDS);
            for (int i = 0; i < 100 && !stopped.isEmpty(); i++) {
                Thread.sleep(20);
                stopped = StoppedTasks.under((int) sh.pid());
            }
            assertTrue(stopped.isEmpty(), "still reported stopped: " + stopped);
        } finally {
            sh.descendants().forEach(ProcessHandle::destroyForcibly);
            sh.destroyForcibly();
            Files.deleteIfExists(pidFile);
        }
    }

    private static int awaitPid(Path pidFile) throws Exception {
        for (int i = 0; i < 250; i++) {
            String s = Files.readString(pidFile).strip();
            if (!s.isEmpty()) {
                return Integer.parseInt(s);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the shell never started its child");
    }
}
