package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** What every leaf command needs: the daemon client, the output streams, and operation waiting. */
abstract class BaseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        return run(client());
    }

    /** Does the command's work; returns the exit code (normally {@link ExitCodes#OK}). */
    abstract int run(DaemonClient client) throws IOException;

    GodwitCli root() {
        return (GodwitCli) spec.root().userObject();
    }

    DaemonClient client() throws IOException {
        GodwitCli root = root();
        DaemonClient local = new DaemonClient(root.socket);
        DaemonClient client;
        if (root.remote == null) {
            client = local;
        } else {
            try {
                client = RemoteClient.of(local, root.remote); // an unreachable local daemon stays exit 5
            } catch (IllegalArgumentException unknownRemote) {
                throw new ParameterException(spec.commandLine(), unknownRemote.getMessage());
            }
        }
        if (root.debug) {
            PrintWriter err = err();
            client.trace(line -> {
                err.println("debug: " + line);
                err.flush();
            });
        }
        return client;
    }

    /** Standard output, or nothing at all with --quiet. */
    PrintWriter out() {
        return root().quiet ? QUIET : spec.commandLine().getOut();
    }

    private static final PrintWriter QUIET = new PrintWriter(java.io.OutputStream.nullOutputStream());

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    void printJson(JsonNode node) {
        out().println(Fmt.pretty(node));
        out().flush();
    }

    /**
     * The one shape of every listing: the daemon's JSON as it is when {@code --format json} asks for
     * it, else a table with one row per element of list, made by row.
     */
    int printTable(JsonNode list, Format format, Table table, java.util.function.Function<JsonNode, Object[]> row) {
        if (format.json()) {
            printJson(list);
            return ExitCodes.OK;
        }
        for (JsonNode element : list) {
            table.row(row.apply(element));
        }
        table.print(out());
        return ExitCodes.OK;
    }

    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    static String path(String first, String... segments) {
        StringBuilder sb = new StringBuilder(first);
        for (String s : segments) {
            sb.append('/').append(DaemonClient.seg(s));
        }
        return sb.toString();
    }

    static String containerPath(String name, String... more) {
        String[] all = new String[more.length + 1];
        all[0] = name;
        System.arraycopy(more, 0, all, 1, more.length);
        return path("/1.0/containers", all);
    }

    /**
     * Waits for an operation the daemon just started, with a progress bar when stderr is a
     * terminal. Returns the finished operation when it succeeded; a failed or cancelled one
     * becomes exit code 1 with the daemon's error text.
     */
    JsonNode await(DaemonClient client, JsonNode op, String label) throws IOException {
        String id = op.path("id").asText("");
        if (id.isEmpty()) {
            throw new CliException(ExitCodes.FAILED, "godwitd returned an operation without an id");
        }
        JsonNode last;
        // Ctrl-C stops the waiting, not the work: say so, and how to get back to it.
        PrintWriter err = err();
        Thread hint = new Thread(() -> {
            err.println();
            err.println("godwit: stopped waiting; operation " + id + " goes on in godwitd"
                    + " (godwit wait " + id + " / godwit cancel " + id + ")");
            err.flush();
        });
        Runtime.getRuntime().addShutdownHook(hint);
        try (ProgressBar bar = new ProgressBar(err, root().showProgress(), label)) {
            last = DaemonClient.isRunning(op) ? client.waitOperation(id, bar) : op;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hint);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running; nothing to undo
            }
        }
        return checkFinished(last);
    }

    static JsonNode checkFinished(JsonNode op) {
        String status = op.path("status").asText("").toLowerCase(Locale.ROOT);
        String what = "operation " + op.path("id").asText("?")
                + (op.hasNonNull("kind") ? " (" + op.get("kind").asText() + ")" : "");
        switch (status) {
            case "success":
                return op;
            case "cancelled":
            case "canceled":
                throw new CliException(ExitCodes.FAILED, what + " was cancelled");
            case "interrupted":
                throw new CliException(ExitCodes.FAILED, what + " was interrupted: the daemon stopped while it ran;"
                        + " look at " + op.path("target").asText("its container") + " to see what it did");
            default:
                String error = op.path("error").asText("");
                throw new CliException(ExitCodes.FAILED,
                        what + " failed" + (error.isBlank() ? "" : ": " + error));
        }
    }

    /** For {@code --no-wait}: the operation id alone, so that scripts can capture it. */
    int printOperationStarted(JsonNode op, Format format) {
        if (format.json()) {
            printJson(op);
        } else {
            out().println(op.path("id").asText());
            out().flush();
        }
        return ExitCodes.OK;
    }
}
