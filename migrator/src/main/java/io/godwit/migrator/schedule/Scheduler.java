package io.godwit.migrator.schedule;

import io.godwit.migrator.api.HttpApiHandler;
import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.catalog.ScheduleRecord;
import io.godwit.migrator.checkpoint.CheckpointService;
import io.godwit.migrator.ops.OperationManager;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.ContainerState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Periodic checkpoints of long jobs: every second it looks for schedules that are due and starts a
 * leave-running checkpoint operation for each, then keeps the newest N. The schedules live in the
 * catalog, so they survive a daemon restart.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Scheduler.class.getName());

    private final Catalog catalog;
    private final CheckpointService checkpoints;
    private final OperationManager operations;
    private final ContainerRuntime runtime;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("godwit-scheduler").unstarted(r));

    public Scheduler(Catalog catalog, CheckpointService checkpoints, OperationManager operations, ContainerRuntime runtime) {
        this.catalog = catalog;
        this.checkpoints = checkpoints;
        this.operations = operations;
        this.runtime = runtime;
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    void tick() {
        try {
            Instant now = Instant.now();
            for (ScheduleRecord s : catalog.schedules()) {
                boolean due = s.lastRun() == null || !s.lastRun().plus(Duration.ofSeconds(s.everySeconds())).isAfter(now);
                if (due && inFlight.add(s.container())) {
                    run(s, now);
                }
            }
        } catch (Exception e) {
            LOG.log(Level.WARNING, "scheduler tick failed", e);
        }
    }

    private void run(ScheduleRecord s, Instant now) throws Exception {
        boolean running;
        try {
            running = runtime.state(s.container()).status() == ContainerState.Status.RUNNING;
        } catch (RuntimeException e) {
            running = false;
        }
        if (!running) {
            // A job that is not running has nothing new to save: try again at the next interval.
            catalog.recordScheduleRun(s.container(), now, "container is not running");
            inFlight.remove(s.container());
            return;
        }
        operations.start("scheduled-checkpoint", s.container(), op -> {
            String error = null;
            try {
                var rec = checkpoints.checkpoint(s.container(), false, op);
                int pruned = checkpoints.prune(s.container(), s.keep());
                return Map.of("checkpoint", CheckpointService.describe(rec), "pruned", pruned);
            } catch (Exception e) {
                error = HttpApiHandler.describe(e);
                throw e;
            } finally {
                catalog.recordScheduleRun(s.container(), now, error);
                inFlight.remove(s.container());
            }
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
