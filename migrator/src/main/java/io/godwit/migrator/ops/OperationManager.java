package io.godwit.migrator.ops;

import io.godwit.migrator.api.HttpApiHandler;
import io.godwit.migrator.api.Json;
import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.catalog.OperationRecord;
import java.util.ArrayList;
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

/** Starts operations on the worker pool, tracks them, records their end in the catalog. */
public final class OperationManager {
    private static final Logger LOG = Logger.getLogger(OperationManager.class.getName());

    /** The body of an operation: reports progress on the operation, returns its result. */
    @FunctionalInterface
    public interface Work {
        Map<String, Object> run(Operation op) throws Exception;
    }

    private final Map<String, Operation> live = new ConcurrentHashMap<>();
    private final ExecutorService workers;
    private final Catalog catalog;
    private final EventBus events;

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

    private void run(Operation op, Work work) {
        try {
            Map<String, Object> result = work.run(op);
            op.finish(op.isCancelRequested() ? "cancelled" : "success", null, result);
        } catch (Exception | Error e) {
            LOG.log(Level.WARNING, op.getKind() + " of " + op.getTarget() + " failed", e);
            op.finish(op.isCancelRequested() ? "cancelled" : "failure", HttpApiHandler.describe(e), null);
        }
        record(op);
    }

    private void record(Operation op) {
        try {
            catalog.saveOperation(new OperationRecord(op.getId(), op.getKind(), op.getTarget(), op.getStatus(),
                    op.getCreatedAt(), op.getFinishedAt(), op.getError(), Json.MAPPER.writeValueAsString(op.getResult())));
        } catch (Exception e) {
            LOG.log(Level.WARNING, "cannot record operation " + op.getId(), e);
        }
        events.publish("operation", op);
    }

    public Optional<Operation> find(String id) {
        return Optional.ofNullable(live.get(id));
    }

    public List<Operation> list() {
        List<Operation> out = new ArrayList<>(live.values());
        out.sort(Comparator.comparing(Operation::getCreatedAt).reversed());
        return out;
    }

    public boolean cancel(String id) {
        Operation op = live.get(id);
        if (op == null || !op.isRunning()) {
            return false;
        }
        op.requestCancel();
        return true;
    }
}
