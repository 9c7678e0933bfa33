package io.godwit.migrator.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** operations, wait, cancel, events: watching the daemon's long work. */
final class OperationCommands {
    private OperationCommands() {}

    @Command(name = "operations", aliases = "ops", mixinStandardHelpOptions = true, description = "List operations.")
    static final class ListOps extends BaseCommand {
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            return printTable(client.get("/1.0/operations").json(), format,
                    new Table("ID", "KIND", "TARGET", "STATUS", "PHASE", "PROGRESS", "CREATED", "ERROR"),
                    o -> new Object[] {Fmt.text(o.path("id")), Fmt.text(o.path("kind")), Fmt.text(o.path("target")),
                        Fmt.text(o.path("status")), Fmt.text(o.path("phase")), Fmt.progress(o),
                        Fmt.time(o.path("createdAt")), Fmt.text(o.path("error"))});
        }
    }

    @Command(name = "wait", mixinStandardHelpOptions = true,
            description = {"Wait for an operation to finish.",
                    "Exits 1 if it failed or was cancelled, 6 if --timeout expired first."})
    static final class Wait extends BaseCommand {
        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--timeout", paramLabel = "S", description = "Give up after S seconds (default: wait for ever).")
        Long timeout;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            if (timeout != null && timeout < 0) {
                throw usage("--timeout must not be negative");
            }
            JsonNode last;
            try (ProgressBar bar = new ProgressBar(err(), root().showProgress(), "operation " + id)) {
                last = client.waitOperation(id, timeout == null ? null : Duration.ofSeconds(timeout), bar);
            }
            if (DaemonClient.isRunning(last)) {
                if (format.json()) {
                    printJson(last);
                }
                throw new CliException(ExitCodes.TIMEOUT, "operation " + id + " still running after " + timeout + "s");
            }
            checkFinished(last);
            if (format.json()) {
                printJson(last);
            } else {
                out().printf("Operation %s (%s %s) succeeded%n", id, Fmt.text(last.path("kind")), Fmt.text(last.path("target")));
                out().flush();
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Cancel an operation; a cancelled move leaves the container running here.")
    static final class Cancel extends BaseCommand {
        @Parameters(paramLabel = "ID") String id;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            JsonNode op = client.delete(path("/1.0/operations", id)).json();
            if (format.json()) {
                printJson(op);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "events", mixinStandardHelpOptions = true,
            description = {"Print the daemon's events as they happen, until interrupted.",
                    "With --format json, one JSON object per line, as the daemon sends them."})
    static final class Events extends BaseCommand {
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            try (DaemonClient.LineStream lines = client.stream("/1.0/events")) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.isBlank() || isHello(line)) {
                        continue; // keep-alive, and the daemon's first line that only opens the stream
                    }
                    // ndjson is already "one object per line": pretty-printing would break that.
                    out().println(format.json() ? line : describe(line));
                    out().flush();
                }
            }
            return ExitCodes.OK;
        }

        static boolean isHello(String line) {
            try {
                return "hello".equals(DaemonClient.json().readTree(line).path("type").asText());
            } catch (JsonProcessingException notJson) {
                return false;
            }
        }

        /** "TIME  TYPE  what happened", one event per line. */
        static String describe(String line) {
            JsonNode e;
            try {
                e = DaemonClient.json().readTree(line);
            } catch (JsonProcessingException ex) {
                return line;
            }
            JsonNode d = e.path("data");
            String what = switch (e.path("type").asText("")) {
                case "operation" -> Fmt.text(d.path("id")) + " " + Fmt.text(d.path("kind")) + " "
                        + Fmt.text(d.path("target")) + " " + Fmt.text(d.path("status"))
                        + (d.hasNonNull("phase") ? " " + d.get("phase").asText() : "")
                        + (d.path("bytesTotal").asLong(0) > 0 ? " " + Fmt.progress(d) : "")
                        + (d.hasNonNull("error") && !d.get("error").asText().isEmpty() ? " error: " + d.get("error").asText() : "");
                // the daemon says what happened to a container as its action (created, stop, deleted, ...)
                case "container" -> Fmt.text(d.path("name")) + " "
                        + Fmt.text(d.hasNonNull("action") ? d.path("action") : d.path("status"));
                default -> d.toString();
            };
            return Fmt.time(e.path("time")) + "  " + Fmt.text(e.path("type")) + "  " + what;
        }
    }
}
