package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code godwit move NAME REMOTE:}: live-migrate a container to a peer daemon. */
@Command(name = "move", mixinStandardHelpOptions = true,
        description = {"Move a container to a remote host; it keeps running here until it runs there.",
                "REMOTE may be written REMOTE: or REMOTE:NEWNAME, as with other container tools."})
final class MoveCommand extends BaseCommand {
    enum Mode { auto, cold, lazy, precopy }

    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Parameters(index = "1", paramLabel = "REMOTE[:[NEWNAME]]") String target;
    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "auto",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}): cold stops first, "
                    + "precopy copies memory while running, lazy restores first and pulls pages on demand.")
    Mode mode;
    @Option(names = "--name", paramLabel = "NEW", description = "Name on the remote (default: the same name).")
    String newName;
    @Option(names = "--no-wait", description = "Print the operation id instead of waiting.")
    boolean noWait;
    @Mixin Format format;

    /** Splits "hostb:", "hostb" and "hostb:web2" into remote and new name. */
    record Target(String remote, String newName) {
        static Target parse(String s) {
            int colon = s.indexOf(':');
            if (colon < 0) {
                return new Target(s, null);
            }
            String rest = s.substring(colon + 1);
            return new Target(s.substring(0, colon), rest.isEmpty() ? null : rest);
        }
    }

    @Override
    int run(DaemonClient client) throws IOException {
        Target t = Target.parse(target);
        if (t.remote().isEmpty()) {
            throw usage("missing remote name in '" + target + "' (expected REMOTE:)");
        }
        if (t.newName() != null && newName != null && !t.newName().equals(newName)) {
            throw usage("two new names given: '" + target + "' and --name " + newName);
        }
        String as = newName != null ? newName : t.newName();
        JsonNode op = client.post(containerPath(name, "move"),
                DaemonClient.body("remote", t.remote(), "mode", mode.name(), "newName", as)).json();
        if (noWait) {
            return printOperationStarted(op, format);
        }
        JsonNode done = await(client, op, "move " + name);
        if (format.json()) {
            printJson(done);
            return ExitCodes.OK;
        }
        printSummary(done.path("result"), t.remote(), as);
        return ExitCodes.OK;
    }

    /** The numbers people look at after a migration: how long the container was frozen, and how fast. */
    void printSummary(JsonNode r, String remote, String as) {
        out().printf("Moved %s to %s%s%n", name, remote, as != null && !as.equals(name) ? " as " + as : "");
        List<String[]> kv = new ArrayList<>();
        kv.add(new String[] {"mode", Fmt.text(r.path("mode"))});
        kv.add(new String[] {"downtime", r.path("downtimeMs").isNumber() ? r.get("downtimeMs").asLong() + " ms" : "-"});
        kv.add(new String[] {"memory", Fmt.bytes(r.path("memoryBytes"))});
        kv.add(new String[] {"rootfs", Fmt.bytes(r.path("rootfsBytes"))});
        kv.add(new String[] {"throughput", r.path("throughputMBps").isNumber()
                ? String.format(Locale.ROOT, "%.1f MB/s", r.get("throughputMBps").asDouble()) : "-"});
        List<String> phases = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : r.path("phases").properties()) {
            phases.add(e.getKey() + " " + e.getValue().asText() + " ms");
        }
        if (!phases.isEmpty()) {
            kv.add(new String[] {"phases", String.join(", ", phases)});
        }
        for (String[] a : kv) {
            out().printf("  %-11s %s%n", a[0] + ":", a[1]);
        }
        out().flush();
    }
}
