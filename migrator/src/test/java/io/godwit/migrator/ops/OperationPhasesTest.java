package io.godwit.migrator.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An operation says where its time went, phase by phase, in the order the phases came. */
class OperationPhasesTest {

    @Test
    void everyPhaseIsTimedInOrderAndTheLastEndsWithTheOperation() throws Exception {
        Operation op = new Operation("id", "checkpoint", "c1");
        op.phase("freeze");
        Thread.sleep(30);
        op.phase("dump");
        Thread.sleep(60);
        Map<String, Long> running = op.getPhases();
        assertTrue(running.get("dump") >= 50, "the running phase counts so far: " + running);
        op.phase("freeze"); // a phase entered twice adds up
        Thread.sleep(30);
        op.finish("success", null, Map.of());
        Thread.sleep(30);

        Map<String, Long> phases = op.getPhases();
        assertEquals(List.of("queued", "freeze", "dump"), List.copyOf(phases.keySet()));
        assertTrue(phases.get("freeze") >= 50 && phases.get("freeze") < 1000, phases.toString());
        assertTrue(phases.get("dump") >= 50 && phases.get("dump") < 1000, phases.toString());
        assertEquals(phases, op.getPhases(), "a finished operation's phases no longer grow");
    }
}
