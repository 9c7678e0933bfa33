package io.godwit.migrator.host;

import java.util.Locale;

/** The daemon setting criuBreakpoints: let the probe decide, or force CRIU's debug traps on or off. */
public enum BreakpointMode {
    AUTO, ON, OFF;

    public static BreakpointMode parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + s + "' is not one of auto, on, off");
        }
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
