package io.godwit.migrator.cluster;

import io.godwit.migrator.api.ApiException;
import java.util.List;
import java.util.Locale;

/**
 * How an evacuation moves a container, and what it falls back to when that fails while the
 * container still runs here: live (lazy, post-copy) -> cold -> checkpoint and stop. auto starts
 * with live where both hosts have userfaultfd, else with cold; stop only checkpoints and stops.
 */
public enum EvacuationMode {
    AUTO, LIVE, COLD, STOP;

    public static EvacuationMode parse(String s) {
        if (s == null || s.isEmpty()) {
            return AUTO;
        }
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("unknown evacuation mode '" + s + "' (auto, live, cold or stop)");
        }
    }

    /** The steps to try, in order: "lazy" and "cold" are move modes, "stop" is checkpoint and stop. */
    public List<String> steps(boolean lazyBothSides, boolean placed) {
        if (!placed) {
            return List.of("stop"); // no member can take it: its state is kept here, it runs nowhere
        }
        return switch (this) {
            case AUTO -> lazyBothSides ? List.of("lazy", "cold", "stop") : List.of("cold", "stop");
            case LIVE -> List.of("lazy", "cold", "stop");
            case COLD -> List.of("cold", "stop");
            case STOP -> List.of("stop");
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
