package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code godwit checkpoint NAME} takes a checkpoint; its subcommands delete checkpoints and
 * manage schedules. NAME is optional to picocli and checked in run(): picocli wants a parent's
 * required parameters before any subcommand, which would make the subcommands unreachable.
 * (A container named "delete", "schedule", "unschedule", "export" or "import" cannot be checkpointed this way.)
 */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
        description = {"Checkpoint a container (it keeps running unless --stop), or manage its checkpoints.",
                "  godwit checkpoint NAME [--stop]"},
        subcommands = {CheckpointCommands.Delete.class, CheckpointCommands.Schedule.class,
                CheckpointCommands.Unschedule.class, CheckpointCommands.Export.class, CheckpointCommands.Import.class})
final class CheckpointCommands extends BaseCommand {
    @Parameters(paramLabel = "NAME", arity = "0..1", description = "The container to checkpoint.")
    String name;
    @Option(names = "--stop", description = "Stop the container once it is checkpointed.")
    boolean stop;
    @Option(names = "--no-wait", description = "Print the operation id instead of waiting.")
    boolean noWait;
    @Mixin Format format;

    @Override
    int run(DaemonClient client) throws IOException {
        if (name == null) {
            throw usage("missing NAME: godwit checkpoint NAME [--stop], or a subcommand: delete, schedule, unschedule,"
                    + " export, import");
        }
        JsonNode op = client.post(containerPath(name, "checkpoints"), DaemonClient.body("stop", stop)).json();
        if (noWait) {
            return printOperationStarted(op, format);
        }
        JsonNode done = await(client, op, "checkpoint " + name);
        if (format.json()) {
            printJson(done);
            return ExitCodes.OK;
        }
        JsonNode cp = done.path("result").path("checkpoint");
        out().printf("Checkpoint %s of %s (%s)%s%n", Fmt.text(cp.path("id")), name, Fmt.bytes(cp.path("sizeBytes")),
                stop ? ", container stopped" : "");
        out().flush();
        return ExitCodes.OK;
    }

    @Command(name = "delete", aliases = "rm", mixinStandardHelpOptions = true, description = "Delete a checkpoint.")
    static final class Delete extends BaseCommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", paramLabel = "ID") String id;

        @Override
        int run(DaemonClient client) throws IOException {
            client.delete(containerPath(name, "checkpoints", id));
            return ExitCodes.OK;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Write a checkpoint into one archive file (manifest and chunks, verifiable; in clear).",
                    "  godwit checkpoint export NAME/ID FILE"})
    static final class Export extends BaseCommand {
        @Parameters(index = "0", paramLabel = "NAME/ID") String checkpoint;
        @Parameters(index = "1", paramLabel = "FILE") java.nio.file.Path file;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            int slash = checkpoint.indexOf('/');
            if (slash <= 0 || slash == checkpoint.length() - 1) {
                throw usage("give the checkpoint as NAME/ID (see godwit checkpoints NAME), got '" + checkpoint + "'");
            }
            // The daemon writes the file itself: send the path absolute, its cwd is not ours.
            String abs = file.toAbsolutePath().normalize().toString();
            JsonNode op = client.post(containerPath(checkpoint.substring(0, slash), "checkpoints",
                    checkpoint.substring(slash + 1), "export"), DaemonClient.body("path", abs)).json();
            JsonNode done = await(client, op, "export of " + checkpoint);
            if (format.json()) {
                printJson(done);
            } else {
                out().printf("Exported %s to %s (%s)%n", checkpoint, abs, Fmt.bytes(done.path("result").path("bytes")));
                out().flush();
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Bring a checkpoint archive into this daemon (every chunk checked); restore or warm-start from it after.",
                    "  godwit checkpoint import FILE"})
    static final class Import extends BaseCommand {
        @Parameters(index = "0", paramLabel = "FILE") java.nio.file.Path file;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            String abs = file.toAbsolutePath().normalize().toString();
            JsonNode op = client.post("/1.0/checkpoints/import", DaemonClient.body("path", abs)).json();
            JsonNode done = await(client, op, "import of " + abs);
            if (format.json()) {
                printJson(done);
            } else {
                JsonNode cp = done.path("result").path("checkpoint");
                out().printf("Imported checkpoint %s of %s (%s)%n", Fmt.text(cp.path("id")), Fmt.text(cp.path("container")),
                        Fmt.bytes(cp.path("sizeBytes")));
                out().flush();
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "schedule", mixinStandardHelpOptions = true,
            description = "Checkpoint a container periodically, keeping the newest few.")
    static final class Schedule extends BaseCommand {
        // "90s", "10m", "2h", "1d", or combinations such as "1h30m".
        private static final Pattern EVERY = Pattern.compile("(\\d+[smhd])+");

        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--every", required = true, paramLabel = "INTERVAL", description = "e.g. 30s, 10m, 1h, 1h30m.")
        String every;
        @Option(names = "--keep", paramLabel = "N", description = "How many checkpoints to keep (daemon default if omitted).")
        Integer keep;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            if (!EVERY.matcher(every).matches()) {
                throw usage("--every wants an interval such as 30s, 10m, 1h or 1h30m, got '" + every + "'");
            }
            if (keep != null && keep < 1) {
                throw usage("--keep must be at least 1");
            }
            JsonNode s = client.put(containerPath(name, "schedule"), DaemonClient.body("every", every, "keep", keep)).json();
            if (format.json()) {
                printJson(s);
            } else {
                out().printf("Checkpointing %s every %s%s%n", name, every,
                        keep != null ? ", keeping " + keep : s.path("keep").isNumber() ? ", keeping " + s.get("keep").asInt() : "");
                out().flush();
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "unschedule", mixinStandardHelpOptions = true, description = "Stop checkpointing a container periodically.")
    static final class Unschedule extends BaseCommand {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        int run(DaemonClient client) throws IOException {
            client.delete(containerPath(name, "schedule"));
            return ExitCodes.OK;
        }
    }

    @Command(name = "checkpoints", mixinStandardHelpOptions = true, description = "List a container's checkpoints, newest first.")
    static final class ListCheckpoints extends BaseCommand {
        @Parameters(paramLabel = "NAME") String name;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            return printTable(client.get(containerPath(name, "checkpoints")).json(), format,
                    new Table("ID", "CREATED", "SIZE", "LEFT RUNNING", "CRIU", "STATE", "MADE BY"),
                    c -> new Object[] {Fmt.text(c.path("id")), Fmt.time(c.path("createdAt")), Fmt.bytes(c.path("sizeBytes")),
                        c.path("leftRunning").isBoolean() ? (c.get("leftRunning").asBoolean() ? "yes" : "no") : "-",
                        Fmt.text(c.path("criuVersion")), Fmt.text(c.path("state")), Fmt.text(c.path("madeBy"))});
        }
    }

    @Command(name = "schedules", mixinStandardHelpOptions = true, description = "List checkpoint schedules.")
    static final class Schedules extends BaseCommand {
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            return printTable(client.get("/1.0/schedules").json(), format,
                    new Table("CONTAINER", "EVERY", "KEEP", "LAST RUN", "NEXT RUN", "LAST ERROR"),
                    s -> new Object[] {Fmt.text(s.path("container")), Fmt.seconds(s.path("everySeconds")),
                        Fmt.text(s.path("keep")), Fmt.time(s.path("lastRun")), Fmt.time(s.path("nextRun")),
                        Fmt.text(s.path("lastError"))});
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = {"Restore a stopped container from a checkpoint (its newest by default).",
                    "Refused (exit 4) while the container runs."})
    static final class Restore extends BaseCommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", arity = "0..1", paramLabel = "CHECKPOINT") String checkpoint;
        @Option(names = "--latest", description = "Restore from the newest checkpoint (the default).")
        boolean latest;
        @Option(names = "--no-wait", description = "Print the operation id instead of waiting.")
        boolean noWait;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            if (latest && checkpoint != null) {
                throw usage("give either CHECKPOINT or --latest, not both");
            }
            Object body = checkpoint != null
                    ? DaemonClient.body("checkpoint", checkpoint) : DaemonClient.body("latest", true);
            JsonNode op = client.post(containerPath(name, "restore"), body).json();
            if (noWait) {
                return printOperationStarted(op, format);
            }
            JsonNode done = await(client, op, "restore " + name);
            if (format.json()) {
                printJson(done);
            } else {
                JsonNode r = done.path("result");
                String from = checkpoint != null ? checkpoint
                        : r.path("checkpoint").isObject() ? Fmt.text(r.path("checkpoint").path("id")) : Fmt.text(r.path("checkpoint"));
                out().printf("Restored %s%s%n", name, from.equals("-") ? " from its newest checkpoint" : " from " + from);
                out().flush();
            }
            return ExitCodes.OK;
        }
    }
}
