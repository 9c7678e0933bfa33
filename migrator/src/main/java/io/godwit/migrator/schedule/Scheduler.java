package io.godwit.migrator.schedule;

import io.godwit.migrator.api.HttpApiHandler;
import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.catalog.CheckpointRecord;
import io.godwit.migrator.catalog.ScheduleRecord;
import io.godwit.migrator.checkpoint.CheckpointService;
import io.godwit.migrator.ops.ContainerClaims;
import io.godwit.migrator.ops.Operation;
import io.godwit.migrator.ops.OperationManager;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.ContainerState;
import io.godwit.runtime.NoSuchContainerException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

    /** What a scheduled run does to a container; the daemon's is {@link #of(CheckpointService, ContainerRuntime)}. */
    interface Jobs {
        boolean isRunning(String container) throws Exception;

        /** The container for this run alone, or an exception saying what else holds it. */
        ContainerClaims.Claim claim(String container);

        Map<String, Object> checkpointAndPrune(String container, int keep, Operation op) throws Exception;
    }

    private final Catalog catalog;
    private final OperationManager operations;
    private final Jobs jobs;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /** Told the container's name after each scheduled checkpoint that succeeded (the fleet replicates it). */
    private volatile java.util.function.Consumer<String> afterCheckpoint = c -> { };
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("godwit-scheduler").unstarted(r));

    public Scheduler(Catalog catalog, CheckpointService checkpoints, OperationManager operations, ContainerRuntime runtime) {
        this(catalog, operations, of(checkpoints, runtime));
    }

    Scheduler(Catalog catalog, OperationManager operations, Jobs jobs) {
        this.catalog = catalog;
        this.operations = operations;
        this.jobs = jobs;
    }

    private static Jobs of(CheckpointService checkpoints, ContainerRuntime runtime) {
        return new Jobs() {
            @Override
            public boolean isRunning(String container) throws Exception {
                try {
                    return runtime.state(container).status() == ContainerState.Status.RUNNING;
                } catch (NoSuchContainerException gone) {
                    return false;
                }
            }

            @Override
            public ContainerClaims.Claim claim(String container) {
                return checkpoints.claim(container, "scheduled checkpoint");
            }

            @Override
            public Map<String, Object> checkpointAndPrune(String container, int keep, Operation op) throws Exception {
                var rec = checkpoints.checkpoint(container, false, CheckpointRecord.MadeBy.SCHEDULE, op);
                int pruned = checkpoints.prune(container, keep);
                return Map.of("checkpoint", CheckpointService.describe(rec), "pruned", pruned);
            }
        };
    }

    public void afterCheckpoint(java.util.function.Consumer<String> hook) {
        this.afterCheckpoint = hook;
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    void tick() {
        tick(Instant.now());
    }

    void tick(Instant now) {
        List<ScheduleRecord> schedules;
        try {
            schedules = catalog.schedules();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "scheduler cannot read the schedules", e);
            return;
        }
        for (ScheduleRecord s : schedules) {
            boolean due = s.lastRun() == null || !s.lastRun().plus(Duration.ofSeconds(s.everySeconds())).isAfter(now);
            if (!due || !inFlight.add(s.container())) {
                continue;
            }
            // The name stays in inFlight only while a started operation owns it (its work removes it);
            // whatever fails before that frees it here, or the schedule would never run again.
            boolean started = false;
            try {
                started = run(s, now);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "scheduled checkpoint of " + s.container() + " could not start", e);
                recordRun(s.container(), now, "could not start: " + HttpApiHandler.describe(e));
            } finally {
                if (!started) {
                    inFlight.remove(s.container());
                }
            }
        }
    }

    /** Starts the run's operation; false when there was nothing to run. */
    private boolean run(ScheduleRecord s, Instant now) throws Exception {
        if (!jobs.isRunning(s.container())) {
            // A job that is not running has nothing new to save: try again at the next interval.
            recordRun(s.container(), now, "container is not running");
            return false;
        }
        operations.start("scheduled-checkpoint", s.container(), jobs.claim(s.container()), op -> {
            String error = null;
            try {
                Map<String, Object> done = jobs.checkpointAndPrune(s.container(), s.keep(), op);
                try {
                    afterCheckpoint.accept(s.container()); // starts its own bounded work: the run ends now
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "after the scheduled checkpoint of " + s.container(), e);
                }
                return done;
            } catch (Exception e) {
                error = HttpApiHandler.describe(e);
                throw e;
            } finally {
                // Recorded first: a tick between the two must not find it due and free to run again.
                recordRun(s.container(), now, error);
                inFlight.remove(s.container());
            }
        });
        return true;
    }

    private void recordRun(String container, Instant at, String error) {
        try {
            catalog.recordScheduleRun(container, at, error);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "cannot record the scheduled run of " + container, e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
