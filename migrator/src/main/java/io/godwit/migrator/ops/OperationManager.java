package io.godwit.migrator.ops;

import io.godwit.migrator.api.HttpApiHandler;
import io.godwit.migrator.api.Json;
import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.catalog.OperationRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts operations on the worker pool, tracks them, records their start and end in the catalog.
 * Operations of earlier runs of the daemon are served from the catalog (a `godwit wait` across a
 * restart finds its operation, finished or interrupted) for {@link #KEEP_FOR}, at most {@link #KEEP_COUNT}.
 */
public final class OperationManager {
    private static final Logger LOG = Logger.getLogger(OperationManager.class.getName());
    /** How long finished operations are kept in the catalog. */
    public static final Duration KEEP_FOR = Duration.ofDays(Long.getLong("godwit.operations.keepDays", 7));
    /** How many finished operations are kept at most. */
    public static final int KEEP_COUNT = Integer.getInteger("godwit.operations.keepCount", 1000);
    private static final int LIST_LIMIT = 200;

    /** The body of an operation: reports progress on the operation, returns its result. */
    @FunctionalInterface
    public interface Work {
        Map<String, Object> run(Operation op) throws Exception;
    }

    /** Told of every operation of this run when it has finished (metrics); must not throw or block. */
    @FunctionalInterface
    public interface FinishListener {
        /** {@code failure} is what the work threw, null when it succeeded. */
        void finished(Operation op, Throwable failure);
    }

    private final List<FinishListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Operation> live = new ConcurrentHashMap<>();
    private final ExecutorService workers;
    private final Catalog catalog;
    private final EventBus events;
    private final AtomicInteger finishedSinceRetention = new AtomicInteger();
    /** Finished operations still held in live, oldest first. */
    private final java.util.ArrayDeque<String> finished = new java.util.ArrayDeque<>();
    static final int FINISHED_IN_MEMORY = Integer.getInteger("godwit.operations.finishedInMemory", 100);

    public OperationManager(ExecutorService workers, Catalog catalog, EventBus events) {
        this.workers = workers;
        this.catalog = catalog;
        this.events = events;
    }

    public Operation start(String kind, String target, Work work) {
        Operation op = new Operation(UUID.randomUUID().toString(), kind, target);
        live.put(op.getId(), op);
        record(op); // as running: a daemon that dies now finds it at start and marks it interrupted
        try {
            workers.execute(() -> run(op, work));
        } catch (RejectedExecutionException e) {
            // The daemon is stopping: the work never runs, so the operation must not stay "running".
            op.finish("failure", "not started: " + HttpApiHandler.describe(e), null);
            record(op);
            throw e;
        }
        return op;
    }

    /**
     * Starts an operation that owns {@code claim}: it is released when the work ends, or at once
     * if the operation cannot start.
     */
    public Operation start(String kind, String target, ContainerClaims.Claim claim, Work work) {
        try {
            return start(kind, target, op -> {
                try {
                    return work.run(op);
                } finally {
                    claim.close();
                }
            });
        } catch (RuntimeException | Error e) {
            claim.close();
            throw e;
        }
    }

    public void onFinish(FinishListener listener) {
        listeners.add(listener);
    }

    private void run(Operation op, Work work) {
        Throwable failure = null;
        try {
            Map<String, Object> result = work.run(op);
            // Work that returned did what it was for, whatever cancel came too late to stop it: that is the truth.
            op.finish("success", null, result);
        } catch (Exception | Error e) {
            failure = e;
            LOG.log(Level.WARNING, op.getKind() + " of " + op.getTarget() + " failed", e);
            op.finish(op.isCancelRequested() ? "cancelled" : "failure", HttpApiHandler.describe(e), null);
        }
        if (record(op)) {
            forgetOldFinished(op);
        }
        for (FinishListener l : listeners) {
            try {
                l.finished(op, failure);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a listener failed on operation " + op.getId(), e);
            }
        }
        if (finishedSinceRetention.incrementAndGet() >= 100) {
            finishedSinceRetention.set(0);
            applyRetention();
        }
    }

    /**
     * Keeps the newest {@link #FINISHED_IN_MEMORY} finished operations in memory (with their phases and
     * byte counts, which the catalog does not keep) and leaves older ones to the catalog: a daemon that
     * runs for months must not hold every operation it ever ran. Only recorded ones are let go.
     */
    private void forgetOldFinished(Operation op) {
        synchronized (finished) {
            finished.addLast(op.getId());
            while (finished.size() > FINISHED_IN_MEMORY) {
                live.remove(finished.removeFirst());
            }
        }
    }

    /** Forgets finished operations older than {@link #KEEP_FOR}, and beyond the newest {@link #KEEP_COUNT}. */
    public int applyRetention() {
        try {
            return catalog.forgetOperations(Instant.now().minus(KEEP_FOR), KEEP_COUNT);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "cannot forget old operations", e);
            return 0;
        }
    }

    /** Saves the operation in the catalog and tells the event listeners; false when the catalog refused it. */
    private boolean record(Operation op) {
        boolean saved = true;
        try {
            catalog.saveOperation(new OperationRecord(op.getId(), op.getKind(), op.getTarget(), op.getStatus(),
                    op.getCreatedAt(), op.getFinishedAt(), op.getError(), Json.MAPPER.writeValueAsString(op.getResult())));
        } catch (Exception e) {
            LOG.log(Level.WARNING, "cannot record operation " + op.getId(), e);
            saved = false;
        }
        events.publish("operation", op);
        return saved;
    }

    /** A live operation of this run, else one the catalog kept from an earlier run. */
    public Optional<Operation> find(String id) throws Exception {
        Operation op = live.get(id);
        if (op != null) {
            return Optional.of(op);
        }
        Optional<OperationRecord> kept = catalog.operation(id);
        return kept.isPresent() ? Optional.of(restored(kept.get())) : Optional.empty();
    }

    /** This run's operations and the newest kept ones of earlier runs, newest first. */
    public List<Operation> list() throws Exception {
        Map<String, Operation> all = new java.util.LinkedHashMap<>();
        for (OperationRecord r : catalog.operations(LIST_LIMIT)) {
            if (!live.containsKey(r.id())) {
                all.put(r.id(), restored(r));
            }
        }
        all.putAll(live);
        List<Operation> out = new ArrayList<>(all.values());
        out.sort(Comparator.comparing(Operation::getCreatedAt).reversed());
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Operation restored(OperationRecord r) {
        Map<String, Object> result = Map.of();
        try {
            if (r.resultJson() != null && !r.resultJson().equals("null")) {
                result = Json.MAPPER.readValue(r.resultJson(), Map.class);
            }
        } catch (Exception unreadable) {
            result = Map.of("unreadable", r.resultJson());
        }
        // "running" in the catalog but not live: the daemon that ran it is gone (start-up marks them; a race here)
        String status = r.status().equals("running") ? "interrupted" : r.status();
        return Operation.restored(r.id(), r.kind(), r.target(), r.createdAt(), status, r.finishedAt(), r.error(), result);
    }

    /** How many operations this daemon holds in memory (running ones and the newest finished ones). */
    int inMemory() {
        return live.size();
    }

    /** False when the operation is not running here, or is past its point of no return. */
    public boolean cancel(String id) {
        Operation op = live.get(id);
        if (op == null || !op.isRunning()) {
            return false;
        }
        return op.requestCancel();
    }
}
