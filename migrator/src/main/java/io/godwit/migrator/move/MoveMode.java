package io.godwit.migrator.move;

import io.godwit.migrator.api.ApiException;
import java.util.Locale;

/**
 * How memory crosses: COLD freezes, dumps everything, sends, restores; LAZY restores at once and
 * pulls pages afterwards (post-copy, needs userfaultfd); PRECOPY sends memory while the container
 * runs (needs soft-dirty tracking); AUTO picks the fastest the two kernels allow.
 */
public enum MoveMode {
    AUTO, COLD, LAZY, PRECOPY;

    public static MoveMode parse(String s) {
        if (s == null || s.isEmpty()) {
            return AUTO;
        }
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("unknown move mode '" + s + "' (auto, cold, lazy or precopy)");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The mode to use given what both sides support. Lazy is faster than cold wherever it runs
     * (downtime no longer grows with memory), so auto takes it when both kernels have userfaultfd.
     */
    public MoveMode resolve(boolean lazyBothSides, boolean memTrackBothSides, boolean lazyImplemented) {
        return switch (this) {
            case AUTO -> lazyBothSides && lazyImplemented ? LAZY : COLD;
            case COLD -> COLD;
            case LAZY -> {
                if (!lazyImplemented) {
                    throw ApiException.conflict("lazy moves are not available in this version");
                }
                if (!lazyBothSides) {
                    throw ApiException.conflict("lazy mode needs userfaultfd on both hosts; use --mode cold");
                }
                yield LAZY;
            }
            case PRECOPY -> {
                if (!memTrackBothSides) {
                    throw ApiException.conflict("precopy needs the kernel to track dirty memory (soft-dirty), and "
                            + "this kernel or the target's does not: use --mode cold or lazy");
                }
                throw ApiException.conflict("precopy moves are not available in this version: use --mode cold or lazy");
            }
        };
    }
}
