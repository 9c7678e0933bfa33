package io.godwit.migrator.ops;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/** Fans daemon events out to /1.0/events listeners; a listener too slow to keep up loses old events. */
public final class EventBus {
    private static final int QUEUE_LIMIT = 1000;
    private final Set<BlockingQueue<Map<String, Object>>> listeners = ConcurrentHashMap.newKeySet();

    public void publish(String type, Object data) {
        Map<String, Object> event = Map.of("type", type, "time", Instant.now().toString(), "data", data);
        for (BlockingQueue<Map<String, Object>> q : listeners) {
            if (!q.offer(event)) {
                q.poll();
                q.offer(event);
            }
        }
    }

    public BlockingQueue<Map<String, Object>> subscribe() {
        BlockingQueue<Map<String, Object>> q = new LinkedBlockingQueue<>(QUEUE_LIMIT);
        listeners.add(q);
        return q;
    }

    public void unsubscribe(BlockingQueue<Map<String, Object>> q) {
        listeners.remove(q);
    }
}
