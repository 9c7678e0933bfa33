package io.godwit.criu;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How every criu on this host is started, whoever starts it (this client, the container
 * monitor for a restore, the lazy-pages daemon of a move): the variables added to its
 * environment, and how long its log may stay silent before the call counts as stalled.
 *
 * <p>Hardware breakpoints: CRIU 4.1 stops the parasite at its sigreturn with a debug trap.
 * Some hypervisors never deliver that trap and every dump or restore then hangs for ever.
 * CRIU's fault-injection id 130 (FI_NO_BREAKPOINTS) makes it stop tasks with PTRACE_SYSCALL
 * instead: a little slower, correct everywhere.
 */
public record CriuLaunch(boolean hardwareBreakpoints, Duration stallTimeout) {
    /** CRIU reads its fault injection from this variable (criu/fault-injection.c). */
    public static final String FAULT_VARIABLE = "CRIU_FAULT";
    /** FI_NO_BREAKPOINTS. */
    public static final String NO_BREAKPOINTS = "130";
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);

    public CriuLaunch {
        if (stallTimeout == null || stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("stallTimeout must be positive: " + stallTimeout);
        }
    }

    /** Breakpoints on (CRIU's own default) and the default stall bound. */
    public static CriuLaunch defaults() {
        return new CriuLaunch(true, DEFAULT_STALL_TIMEOUT);
    }

    public CriuLaunch withHardwareBreakpoints(boolean on) {
        return new CriuLaunch(on, stallTimeout);
    }

    public CriuLaunch withStallTimeout(Duration timeout) {
        return new CriuLaunch(hardwareBreakpoints, timeout);
    }

    /** What to add to criu's environment (empty when CRIU's defaults do). */
    public Map<String, String> extraEnvironment() {
        return hardwareBreakpoints ? Map.of() : Map.of(FAULT_VARIABLE, NO_BREAKPOINTS);
    }

    /**
     * The whole environment for a criu: this JVM's, less any CRIU_FAULT of its own (the host's
     * decision wins over a stray variable), plus {@link #extraEnvironment()}.
     */
    public Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove(FAULT_VARIABLE);
        env.putAll(extraEnvironment());
        return env;
    }
}
