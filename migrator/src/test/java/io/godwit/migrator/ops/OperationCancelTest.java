package io.godwit.migrator.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A cancel must reach every step running at once (a warm start restores many containers). */
class OperationCancelTest {

    @Test
    void cancelReachesEveryRunningStepButNotFinishedOnes() {
        Operation op = new Operation("id", "warm-start", "clone");
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        op.onCancel(first::incrementAndGet);
        op.onCancel(second::incrementAndGet);
        op.onCancel(finished::incrementAndGet).close();

        op.requestCancel();
        op.requestCancel();

        assertEquals(1, first.get());
        assertEquals(1, second.get());
        assertEquals(0, finished.get(), "a step that ended must not be cancelled");
        assertTrue(op.isCancelRequested());
    }

    @Test
    void aStepRegisteredAfterTheCancelIsCancelledAtOnce() {
        Operation op = new Operation("id", "restore", "c1");
        op.requestCancel();
        AtomicInteger late = new AtomicInteger();
        op.onCancel(late::incrementAndGet);
        assertEquals(1, late.get());
    }
}
