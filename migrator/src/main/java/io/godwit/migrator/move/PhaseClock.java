package io.godwit.migrator.move;

import io.godwit.migrator.ops.Operation;
import java.util.LinkedHashMap;
import java.util.Map;

/** Times the phases of a move, in order, and shows the current one on the operation. */
final class PhaseClock {
    private final Operation op;
    private final Map<String, Long> millis = new LinkedHashMap<>();
    private String current;
    private long startedAt;

    PhaseClock(Operation op) {
        this.op = op;
    }

    /** Ends the current phase, if any, and starts the next. */
    void enter(String phase) {
        stop();
        current = phase;
        startedAt = System.nanoTime();
        op.phase(phase);
    }

    void stop() {
        if (current != null) {
            millis.merge(current, (System.nanoTime() - startedAt) / 1_000_000, Long::sum);
            current = null;
        }
    }

    /** The phase under way, for messages that say where a move failed. */
    String current() {
        return current == null ? "start" : current;
    }

    Map<String, Long> millis() {
        return new LinkedHashMap<>(millis);
    }
}
