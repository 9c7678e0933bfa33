package io.godwit.migrator.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.catalog.ScheduleRecord;
import io.godwit.migrator.ops.EventBus;
import io.godwit.migrator.ops.OperationManager;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A schedule whose run could not even be started must run again at its next interval: the
 * scheduler's guard against overlapping runs may not keep the container's name after a failure.
 */
class SchedulerTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    /** Runs work on the calling thread, or refuses it (as a pool being shut down does). */
    static final class SwitchableExecutor extends AbstractExecutorService {
        final AtomicBoolean refuse = new AtomicBoolean();

        @Override
        public void execute(Runnable r) {
            if (refuse.get()) {
                throw new RejectedExecutionException("pool is shutting down");
            }
            r.run();
        }

        @Override public void shutdown() { }
        @Override public List<Runnable> shutdownNow() { return List.of(); }
        @Override public boolean isShutdown() { return false; }
        @Override public boolean isTerminated() { return false; }
        @Override public boolean awaitTermination(long t, TimeUnit u) { return true; }
    }

    private Catalog catalog;
    private final SwitchableExecutor pool = new SwitchableExecutor();
    private OperationManager operations;
    private final AtomicInteger checkpoints = new AtomicInteger();
    private volatile boolean stateReadFails;
    private final io.godwit.migrator.ops.ContainerClaims claims = new io.godwit.migrator.ops.ContainerClaims();

    private final Scheduler.Jobs jobs = new Scheduler.Jobs() {
        @Override
        public boolean isRunning(String container) throws IOException {
            if (stateReadFails) {
                throw new IOException("cannot read state of " + container);
            }
            return true;
        }

        @Override
        public io.godwit.migrator.ops.ContainerClaims.Claim claim(String container) {
            return claims.claim(container, "checkpoint");
        }

        @Override
        public Map<String, Object> checkpointAndPrune(String container, int keep, io.godwit.migrator.ops.Operation op) {
            checkpoints.incrementAndGet();
            return Map.of();
        }
    };

    @BeforeEach
    void open(@TempDir Path dir) throws Exception {
        catalog = Catalog.open(dir.resolve("catalog.db"));
        operations = new OperationManager(pool, catalog, new EventBus());
        catalog.putSchedule(new ScheduleRecord("job", 60, 3, null, null));
    }

    @AfterEach
    void close() throws Exception {
        catalog.close();
    }

    private ScheduleRecord schedule() throws Exception {
        return catalog.schedules().stream().filter(s -> s.container().equals("job")).findFirst().orElseThrow();
    }

    @Test
    void aRunThatCannotStartRunsAgainAtTheNextInterval() throws Exception {
        try (Scheduler scheduler = new Scheduler(catalog, operations, jobs)) {
            pool.refuse.set(true);
            scheduler.tick(T0);
            assertEquals(0, checkpoints.get());
            ScheduleRecord failed = schedule();

            pool.refuse.set(false);
            scheduler.tick(T0.plusSeconds(61));
            assertEquals(1, checkpoints.get(), "the schedule never ran again after a failed start");
            assertEquals(null, schedule().lastError());

            assertNotNull(failed.lastError(), "the failure to start is recorded");
            assertTrue(failed.lastError().contains("shutting down"), failed.lastError());
            assertTrue(operations.list().stream().noneMatch(o -> o.getStatus().equals("running")),
                    "no operation is left 'running' forever: " + operations.list());
        }
    }

    @Test
    void aStateThatCannotBeReadDoesNotStopTheSchedule() throws Exception {
        try (Scheduler scheduler = new Scheduler(catalog, operations, jobs)) {
            stateReadFails = true;
            scheduler.tick(T0);
            assertEquals(0, checkpoints.get());
            String error = schedule().lastError();

            stateReadFails = false;
            scheduler.tick(T0.plusSeconds(61));
            assertEquals(1, checkpoints.get(), "the schedule never ran again after a failed state read");
            assertTrue(error != null && error.contains("cannot read state"), "recorded: " + error);
        }
    }

    @Test
    void aContainerBusyWithAnotherCheckpointIsSkippedUntilTheNextInterval() throws Exception {
        try (Scheduler scheduler = new Scheduler(catalog, operations, jobs)) {
            try (var manual = claims.claim("job", "checkpoint")) {
                scheduler.tick(T0);
            }
            assertEquals(0, checkpoints.get());
            assertTrue(schedule().lastError().contains("busy"), schedule().lastError());
            scheduler.tick(T0.plusSeconds(61));
            assertEquals(1, checkpoints.get());
        }
    }

    @Test
    void aScheduleRunsOnlyWhenDueAndNeverTwiceAtOnce() throws Exception {
        try (Scheduler scheduler = new Scheduler(catalog, operations, jobs)) {
            scheduler.tick(T0);
            assertEquals(1, checkpoints.get());
            scheduler.tick(T0.plusSeconds(30));
            assertEquals(1, checkpoints.get(), "not due yet");
            scheduler.tick(T0.plusSeconds(60));
            assertEquals(2, checkpoints.get());
        }
    }
}
