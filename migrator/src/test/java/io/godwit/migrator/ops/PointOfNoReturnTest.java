package io.godwit.migrator.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.migrator.catalog.Catalog;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cancel that comes after an operation's point of no return (a move whose target was ordered to
 * restore) is refused, stops nothing, and the operation reports what happened, not "cancelled".
 */
class PointOfNoReturnTest {
    @TempDir
    Path dir;

    @Test
    void aLateCancelIsRefusedAndTheOperationReportsWhereTheContainerRuns() throws Exception {
        try (Catalog catalog = Catalog.open(dir.resolve("catalog.db"));
                var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            OperationManager ops = new OperationManager(pool, catalog, new EventBus());
            CountDownLatch committed = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger stopped = new AtomicInteger();
            Operation op = ops.start("move", "job", o -> {
                try (var step = o.onCancel(stopped::incrementAndGet)) {
                    o.commit("the target's restore");
                    committed.countDown();
                    assertTrue(release.await(30, TimeUnit.SECONDS));
                }
                return Map.of("runsOn", "hostb:job");
            });
            assertTrue(committed.await(30, TimeUnit.SECONDS));
            assertFalse(op.isCancellable());

            assertFalse(ops.cancel(op.getId()), "refused past the point of no return");
            release.countDown();
            assertTrue(op.await(30_000));

            assertEquals("success", op.getStatus());
            assertEquals("hostb:job", op.getResult().get("runsOn"));
            assertEquals(0, stopped.get(), "a refused cancel stops nothing");
            assertEquals("success", ops.find(op.getId()).orElseThrow().getStatus());
        }
    }

    @Test
    void aCancelBeforeThePointOfNoReturnWins() {
        Operation op = new Operation("id", "move", "job");
        assertTrue(op.isCancellable());
        assertTrue(op.requestCancel());
        assertThrows(CancellationException.class, () -> op.commit("the target's restore"));
    }
}
