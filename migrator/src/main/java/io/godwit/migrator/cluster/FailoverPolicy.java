package io.godwit.migrator.cluster;

/**
 * What the fleet does with a container when its member dies (godwit launch --on-node-failure):
 * "none" (the default: nothing; it runs again when its member does) or "restore" (its scheduled
 * checkpoints are replicated to another member, which restores the newest when the member's lease
 * has been gone for T2). Kept in the daemon's catalog.
 */
public final class FailoverPolicy {
    public static final String NONE = "none";
    public static final String RESTORE = "restore";

    private FailoverPolicy() {
    }

    public static String parse(String s) {
        if (s == null || s.isEmpty() || s.equals(NONE)) {
            return NONE;
        }
        if (s.equals(RESTORE)) {
            return RESTORE;
        }
        throw new IllegalArgumentException("'onNodeFailure' must be none or restore, not '" + s + "'");
    }
}
