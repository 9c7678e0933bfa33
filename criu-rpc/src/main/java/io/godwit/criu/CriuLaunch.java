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
 *
 * <p>Sockets: every criu also gets {@link SockoptShim} preloaded (LD_PRELOAD), without which CRIU
 * 4.1 cannot dump a TCP or UDP socket on Linux 6.16 and later.
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

    /** The dynamic loader's variable that loads {@link SockoptShim} into criu. */
    public static final String PRELOAD_VARIABLE = "LD_PRELOAD";

    /** What to add to criu's environment: CRIU_FAULT where breakpoints are off, LD_PRELOAD of the shim. */
    public Map<String, String> extraEnvironment() {
        Map<String, String> env = new HashMap<>();
        if (!hardwareBreakpoints) {
            env.put(FAULT_VARIABLE, NO_BREAKPOINTS);
        }
        java.nio.file.Path shim = SockoptShim.path();
        if (shim != null) {
            env.put(PRELOAD_VARIABLE, shim.toString());
        }
        return Map.copyOf(env);
    }

    /**
     * The whole environment for a criu: this JVM's, less any CRIU_FAULT of its own (the host's
     * decision wins over a stray variable), plus {@link #extraEnvironment()}.
     */
    public Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove(FAULT_VARIABLE);
        String ownPreload = env.get(PRELOAD_VARIABLE);
        env.putAll(extraEnvironment());
        if (ownPreload != null && !ownPreload.isBlank() && env.containsKey(PRELOAD_VARIABLE)
                && !ownPreload.equals(env.get(PRELOAD_VARIABLE))) {
            env.put(PRELOAD_VARIABLE, env.get(PRELOAD_VARIABLE) + ":" + ownPreload);
        }
        return env;
    }
}
