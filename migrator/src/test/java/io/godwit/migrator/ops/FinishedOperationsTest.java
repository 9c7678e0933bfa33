package io.godwit.migrator.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.migrator.catalog.Catalog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon that runs for months runs many operations: the finished ones beyond the newest few leave
 * memory for the catalog, and are still found, listed and served with their result.
 */
class FinishedOperationsTest {
    @TempDir
    Path dir;

    @Test
    void oldFinishedOperationsLeaveMemoryAndAreStillServedFromTheCatalog() throws Exception {
        int count = OperationManager.FINISHED_IN_MEMORY + 20;
        try (Catalog catalog = Catalog.open(dir.resolve("catalog.db"));
                var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            OperationManager ops = new OperationManager(pool, catalog, new EventBus());
            List<Operation> started = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                started.add(ops.start("checkpoint", "job" + n, op -> Map.of("n", n)));
            }
            for (Operation op : started) {
                assertTrue(op.await(30_000), op.getId());
            }
            // await() returns when the work ended; the catalog write follows it
            for (int i = 0; i < 300 && ops.inMemory() > OperationManager.FINISHED_IN_MEMORY; i++) {
                Thread.sleep(10);
            }
            assertEquals(OperationManager.FINISHED_IN_MEMORY, ops.inMemory());
            for (Operation op : started) {
                Operation found = ops.find(op.getId()).orElseThrow();
                assertEquals("success", found.getStatus(), op.getId());
                assertEquals(op.getResult().get("n"), ((Number) found.getResult().get("n")).intValue());
            }
            assertEquals(count, ops.list().size());
        }
    }
}
