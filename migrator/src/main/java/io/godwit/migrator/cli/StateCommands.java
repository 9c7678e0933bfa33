package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** start, stop, kill, pause, resume: all one endpoint, {@code POST /containers/NAME/state}. */
final class StateCommands {
    private StateCommands() {}

    /** Quiet on success, like the ecosystem's tools; --format json shows the new container state. */
    abstract static class StateChange extends BaseCommand {
        @Parameters(paramLabel = "NAME") String name;
        @Mixin Format format;

        abstract String action();

        Map<String, Object> body() {
            return DaemonClient.body("action", action());
        }

        @Override
        int run(DaemonClient client) throws IOException {
            JsonNode c = client.post(containerPath(name, "state"), body()).json();
            if (format.json()) {
                printJson(c);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start a created or stopped container.")
    static final class Start extends StateChange {
        @Override String action() { return "start"; }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop a container: SIGTERM, then SIGKILL after the timeout.")
    static final class Stop extends StateChange {
        @Option(names = {"-t", "--timeout"}, paramLabel = "S", defaultValue = "10",
                description = "Seconds to wait before killing (default: ${DEFAULT-VALUE}).")
        int timeout;

        @Override String action() { return "stop"; }

        @Override
        Map<String, Object> body() {
            if (timeout < 0) {
                throw usage("--timeout must not be negative");
            }
            return DaemonClient.body("action", "stop", "timeoutSeconds", timeout);
        }
    }

    @Command(name = "kill", mixinStandardHelpOptions = true, description = "Send a signal to a container's init.")
    static final class Kill extends StateChange {
        @Option(names = {"-s", "--signal"}, paramLabel = "SIG", defaultValue = "9",
                description = "Signal number or name, e.g. 9, KILL, SIGTERM (default: ${DEFAULT-VALUE}).")
        String signal;

        @Override String action() { return "kill"; }

        @Override
        Map<String, Object> body() {
            return DaemonClient.body("action", "kill", "signal", signalNumber(signal));
        }

        int signalNumber(String s) {
            String n = s.toUpperCase(Locale.ROOT);
            n = n.startsWith("SIG") ? n.substring(3) : n;
            // Linux x86-64/arm64 numbers of the signals people actually send to containers.
            Integer known = Map.ofEntries(Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3),
                    Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("USR2", 12), Map.entry("TERM", 15),
                    Map.entry("CONT", 18), Map.entry("STOP", 19), Map.entry("WINCH", 28)).get(n);
            if (known != null) {
                return known;
            }
            try {
                int v = Integer.parseInt(s);
                if (v >= 1 && v <= 64) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw usage("not a signal: '" + s + "' (use a number 1-64 or a name like TERM)");
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Freeze a container (cgroup freezer).")
    static final class Pause extends StateChange {
        @Override String action() { return "pause"; }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Thaw a paused container.")
    static final class Resume extends StateChange {
        @Override String action() { return "resume"; }
    }
}
