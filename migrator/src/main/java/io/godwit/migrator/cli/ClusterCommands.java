package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code godwit cluster list|info|evacuate|restore}: the fleet this daemon joined (godwitd
 * --cluster). Every command asks the local daemon, which asks etcd (within a few seconds) or the
 * member concerned; with etcd out of reach they fail at once saying so (exit 1).
 */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "The fleet: members, evacuation, restore.",
        subcommands = {ClusterCommands.ListMembers.class, ClusterCommands.Info.class, ClusterCommands.Evacuate.class,
                ClusterCommands.Restore.class})
final class ClusterCommands extends GroupCommand {

    static String mib(JsonNode bytes) {
        return bytes.isNumber() ? (bytes.asLong() >> 20) + " MiB" : "-";
    }

    static String gib(JsonNode bytes) {
        return bytes.isNumber() ? String.format("%.1f GiB", bytes.asLong() / (double) (1L << 30)) : "-";
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
            description = "List the fleet's live members: state, address, containers, free memory and disk.")
    static final class ListMembers extends BaseCommand {
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            return printTable(client.get("/1.0/cluster/members").json(), format,
                    new Table("NAME", "STATE", "ADDRESS", "CONTAINERS", "MEM-FREE", "DISK-FREE", "CPU", "CRIU"), m -> {
                        JsonNode c = m.path("capacity");
                        return new Object[] {Fmt.text(m.path("name")), Fmt.text(m.path("state")), Fmt.text(m.path("address")),
                            m.path("containers").asInt(), mib(c.path("memoryAvailable")), gib(c.path("diskFree")),
                            Fmt.text(c.path("cpuModel")),
                            Fmt.text(c.path("criuVersion")) + (c.path("lazyPages").asBoolean() ? " lazy" : "")};
                    });
        }
    }

    @Command(name = "info", aliases = "show", mixinStandardHelpOptions = true,
            description = "Show a member: capacity, labels, state, its containers and what was evacuated from it.")
    static final class Info extends BaseCommand {
        @Parameters(paramLabel = "NODE") String node;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            JsonNode r = client.get(path("/1.0/cluster/members", node)).json();
            if (format.json()) {
                printJson(r);
                return ExitCodes.OK;
            }
            JsonNode m = r.path("member");
            JsonNode c = m.path("capacity");
            var o = out();
            if (m.isNull() || m.isMissingNode()) {
                o.printf("Name:         %s (not alive: its lease is gone)%n", node);
            }
            o.printf("Name:         %s%n", Fmt.text(m.path("name")));
            o.printf("State:        %s%n", Fmt.text(m.path("state")));
            o.printf("Address:      %s%n", Fmt.text(m.path("address")));
            o.printf("Fingerprint:  %s%n", Fmt.text(m.path("fingerprint")));
            o.printf("Memory:       %s free of %s%n", mib(c.path("memoryAvailable")), mib(c.path("memoryTotal")));
            o.printf("Disk free:    %s%n", gib(c.path("diskFree")));
            o.printf("CPU:          %s, %d CPUs, %d features%n", Fmt.text(c.path("cpuModel")), c.path("cpus").asInt(),
                    c.path("cpuFlags").size());
            o.printf("CRIU:         %s%s%s%n", Fmt.text(c.path("criuVersion")),
                    c.path("criuWorks").asBoolean() ? "" : " (does not work here)",
                    c.path("lazyPages").asBoolean() ? ", lazy moves" : ", cold moves only");
            StringBuilder labels = new StringBuilder();
            m.path("labels").fields().forEachRemaining(e -> labels.append(e.getKey()).append('=')
                    .append(e.getValue().asText()).append(' '));
            o.printf("Labels:       %s%n", labels.isEmpty() ? "-" : labels.toString().strip());
            o.println("Containers:");
            Table t = new Table("  NAME", "STATUS", "MEMORY", "ON FAILURE", "REPLICA");
            for (JsonNode e : r.path("containers")) {
                JsonNode rep = e.path("replica");
                t.row("  " + Fmt.text(e.path("name")), Fmt.text(e.path("status")), mib(e.path("memoryBytes")),
                        e.path("onNodeFailure").asText("none"), rep.isObject()
                                ? Fmt.text(rep.path("checkpoint")) + " on " + Fmt.text(rep.path("holder")) : "-");
            }
            t.print(o);
            if (!r.path("failedOver").isEmpty()) {
                o.println("Failed over (restored elsewhere from their replicas while this member was gone):");
                Table f = new Table("  NAME", "TO", "FROM CHECKPOINT", "STATE", "AT");
                for (JsonNode x : r.path("failedOver")) {
                    f.row("  " + Fmt.text(x.path("container")), Fmt.text(x.path("to")), Fmt.text(x.path("checkpoint")),
                            Fmt.text(x.path("state")) + (x.path("error").isTextual() ? ": " + x.path("error").asText() : ""),
                            Fmt.text(x.path("at")));
                }
                f.print(o);
            }
            if (!r.path("evacuated").isEmpty()) {
                o.println("Evacuated (brought back by 'godwit cluster restore " + node + "'):");
                Table e = new Table("  NAME", "HOW", "TO", "MODE");
                for (JsonNode x : r.path("evacuated")) {
                    e.row("  " + Fmt.text(x.path("name")), Fmt.text(x.path("how")), Fmt.text(x.path("to")),
                            Fmt.text(x.path("mode")));
                }
                e.print(o);
            }
            o.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "evacuate", mixinStandardHelpOptions = true,
            description = {"Move every running container of NODE to other members, for maintenance.",
                    "Plans a target for each (compatible CPU, room for memory and disk, spread), prints the plan, "
                            + "then moves them N at a time. A container whose move fails while it still runs on NODE "
                            + "falls back: live -> cold -> checkpoint and stop. None is lost, none runs twice. "
                            + "NODE takes no new containers until 'godwit cluster restore NODE'."})
    static final class Evacuate extends BaseCommand {
        @Parameters(paramLabel = "NODE") String node;
        @Option(names = "--mode", paramLabel = "MODE", defaultValue = "auto",
                description = "auto (live where both hosts can, else cold), live, cold, or stop (checkpoint and stop "
                        + "on NODE) (default: ${DEFAULT-VALUE})")
        String mode;
        @Option(names = "--parallel", paramLabel = "N", description = "moves at once (default: max(CPUs/16, 1))")
        Integer parallel;
        @Option(names = "--dry-run", description = "print the plan and change nothing")
        boolean dryRun;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            String p = path("/1.0/cluster/members", node, "evacuate");
            JsonNode plan = client.post(p, DaemonClient.body("mode", mode, "parallel", parallel, "dryRun", true)).json();
            if (!format.json() || dryRun) {
                if (format.json()) {
                    printJson(plan);
                    return ExitCodes.OK;
                }
                printPlan(plan.path("plan"));
            }
            if (dryRun) {
                return ExitCodes.OK;
            }
            JsonNode op = client.post(p, DaemonClient.body("mode", mode, "parallel", parallel)).json();
            JsonNode done = await(client, op, "evacuate " + node);
            JsonNode result = done.path("result");
            if (format.json()) {
                printJson(result);
                return ExitCodes.OK;
            }
            Table t = new Table("CONTAINER", "RESULT", "TARGET", "MODE", "DETAIL");
            for (JsonNode o : result.path("outcomes")) {
                t.row(Fmt.text(o.path("container")), Fmt.text(o.path("result")), Fmt.text(o.path("target")),
                        Fmt.text(o.path("mode")), o.path("detail").asText("").isEmpty() ? "-" : o.path("detail").asText());
            }
            t.print(out());
            out().printf("%s is %s%n", node, Fmt.text(result.path("state")));
            out().flush();
            return ExitCodes.OK;
        }

        private void printPlan(JsonNode plan) {
            out().println("Plan (" + plan.size() + " containers):");
            Table t = new Table("  CONTAINER", "MEMORY", "TARGET", "WHY");
            for (JsonNode a : plan) {
                t.row("  " + Fmt.text(a.path("container")), mib(a.path("memoryBytes")),
                        a.path("target").isNull() ? "(none: checkpoint and stop)" : a.path("target").asText(),
                        Fmt.text(a.path("why")));
            }
            t.print(out());
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Bring back to NODE what 'godwit cluster evacuate NODE' moved away or stopped.")
    static final class Restore extends BaseCommand {
        @Parameters(paramLabel = "NODE") String node;
        @Option(names = "--parallel", paramLabel = "N", description = "moves at once (default: max(CPUs/16, 1))")
        Integer parallel;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            JsonNode op = client.post(path("/1.0/cluster/members", node, "restore"),
                    parallel == null ? Map.of() : Map.of("parallel", parallel)).json();
            JsonNode result = await(client, op, "restore " + node).path("result");
            if (format.json()) {
                printJson(result);
                return ExitCodes.OK;
            }
            Table t = new Table("CONTAINER", "RESULT", "FROM", "DETAIL");
            for (JsonNode o : result.path("outcomes")) {
                t.row(Fmt.text(o.path("container")), Fmt.text(o.path("result")), Fmt.text(o.path("from")),
                        Fmt.text(o.path("detail")));
            }
            t.print(out());
            return ExitCodes.OK;
        }
    }

    /** {@code godwit list --all-nodes}: the directory, every member's containers. */
    static int listAllNodes(BaseCommand cmd, DaemonClient client, Format format) throws IOException {
        return cmd.printTable(client.get("/1.0/cluster/containers").json(), format,
                new Table("NODE", "NAME", "STATUS", "MEMORY", "IMAGE"), c -> {
                    String image = Fmt.text(c.path("image"));
                    return new Object[] {Fmt.text(c.path("node")), Fmt.text(c.path("name")), Fmt.text(c.path("status")),
                        mib(c.path("memoryBytes")), image.length() > 12 ? image.substring(0, 12) : image};
                });
    }
}
