package io.godwit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostCommandTest {

    @Test
    void runReturnsStdoutAndThrowsWithStatusAndStderr() throws Exception {
        assertEquals("hello\n", HostCommand.run(List.of("sh", "-c", "echo hello; echo noise >&2")));
        IOException e = assertThrows(IOException.class, () -> HostCommand.run(List.of("sh", "-c", "echo why >&2; exit 3")));
        assertEquals("sh -c echo why >&2; exit 3 failed with status 3: why", e.getMessage());
    }

    @Test
    void attemptHandsBackAFailureInsteadOfThrowing() throws Exception {
        HostCommand.Result r = HostCommand.attempt(List.of("sh", "-c", "echo out; echo err >&2; exit 2"), Duration.ofSeconds(10));
        assertFalse(r.ok());
        assertEquals(2, r.status());
        assertEquals("out\n", r.stdout());
        assertEquals("err\n", r.stderr());
        assertTrue(r.failure().getMessage().endsWith("failed with status 2: err"), r.failure().getMessage());
        assertTrue(HostCommand.attempt(List.of("true"), Duration.ofSeconds(10)).ok());
    }

    @Test
    void aCommandThatTakesTooLongIsKilledAndReported() {
        // sh forks sleep, which holds the output pipes open: it must be killed too, or reading blocks.
        long t = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> HostCommand.attempt(
                List.of("sh", "-c", "sleep 30; echo late"), Duration.ofMillis(300)));
        assertTrue(e.getMessage().contains("did not finish within"), e.getMessage());
        assertTrue(System.nanoTime() - t < Duration.ofSeconds(10).toNanos());
    }

    @Test
    void aToolThatDoesNotExistSaysSo() {
        IOException e = assertThrows(IOException.class, () -> HostCommand.run(List.of("/nonexistent/tool")));
        assertTrue(e.getMessage().startsWith("cannot run /nonexistent/tool"), e.getMessage());
    }
}
