package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The container commands that are not state changes: list, info, logs, exec, delete. */
final class ContainerCommands {
    private ContainerCommands() {}

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
            description = {"List containers, stopped ones included.",
                    "With -q only their names, one a line (for 'godwit list -q | xargs ...')."})
    static final class ListCmd extends BaseCommand {
        @Mixin Format format;
        @Option(names = "--all-nodes", description = "every member's containers, from the fleet's directory")
        boolean allNodes;
        @Option(names = "--filter", paramLabel = "KEY=VALUE",
                description = "Only the containers that match (repeatable: all must match): name=TEXT (a part of"
                        + " the name), status=STATUS (running, stopped, paused, ...), image=ALIAS|FINGERPRINT-PREFIX.")
        List<String> filters = new ArrayList<>();

        @Override
        int run(DaemonClient client) throws IOException {
            if (allNodes) {
                if (!filters.isEmpty()) {
                    throw usage("--filter does not apply to --all-nodes");
                }
                return ClusterCommands.listAllNodes(this, client, format);
            }
            ContainerFilter filter;
            try {
                filter = ContainerFilter.parse(filters);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
            ImageNames images = ImageNames.of(client);
            com.fasterxml.jackson.databind.node.ArrayNode shown = DaemonClient.json().createArrayNode();
            for (JsonNode c : client.get("/1.0/containers").json()) {
                if (filter.matches(c, images)) {
                    shown.add(c);
                }
            }
            if (root().quiet && !format.json()) {
                // -q: the names alone, on the real stdout (quiet silences everything else)
                java.io.PrintWriter names = spec.commandLine().getOut();
                shown.forEach(c -> names.println(c.path("name").asText()));
                names.flush();
                return ExitCodes.OK;
            }
            return printTable(shown, format,
                    new Table("NAME", "STATUS", "PID", "IMAGE", "ADDRESS", "CREATED"),
                    c -> new Object[] {Fmt.text(c.path("name")), Fmt.text(c.path("status")), pid(c),
                        images.shown(imageOf(c)),
                        Fmt.text(c.path("spec").path("network").path("address")), Fmt.time(c.path("createdAt"))});
        }

        static String imageOf(JsonNode c) {
            JsonNode i = c.path("image").isTextual() ? c.path("image") : c.path("spec").path("image");
            return i.isTextual() ? i.asText() : null;
        }
    }

    @Command(name = "info", aliases = "show", mixinStandardHelpOptions = true,
            description = "Show a container: state, spec, limits and live usage.")
    static final class Info extends BaseCommand {
        @Parameters(paramLabel = "NAME") String name;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            JsonNode c = client.get(containerPath(name)).json();
            if (format.json()) {
                printJson(c);
                return ExitCodes.OK;
            }
            JsonNode s = c.path("spec");
            List<String[]> kv = new ArrayList<>();
            kv.add(new String[] {"Name", Fmt.text(c.path("name"))});
            kv.add(new String[] {"Status", Fmt.text(c.path("status"))});
            kv.add(new String[] {"PID", pid(c)});
            kv.add(new String[] {"Image", Fmt.text(c.has("image") ? c.path("image") : s.path("image"))});
            kv.add(new String[] {"Created", Fmt.time(c.path("createdAt"))});
            kv.add(new String[] {"Started", Fmt.time(c.path("startedAt"))});
            if (c.hasNonNull("exitCode") || c.hasNonNull("exitSignal")) {
                kv.add(new String[] {"Exit", c.hasNonNull("exitSignal") && c.get("exitSignal").asInt() != 0
                        ? "signal " + c.get("exitSignal").asText() : "code " + Fmt.text(c.path("exitCode"))});
            }
            kv.add(new String[] {"Command", join(s.path("command"))});
            kv.add(new String[] {"Cwd", Fmt.text(s.path("cwd"))});
            kv.add(new String[] {"Hostname", Fmt.text(s.path("hostname"))});
            JsonNode l = s.path("limits");
            // 0 (or absent) is no limit, and is said so rather than "memory 0B, cpu 0.0 CPUs, pids 0"
            kv.add(new String[] {"Limits", "memory " + (l.path("memoryBytes").asLong(0) > 0 ? Fmt.bytes(l.path("memoryBytes")) : "unlimited")
                    + ", cpu " + (l.path("cpuMillis").asLong(0) > 0 ? l.get("cpuMillis").asLong() / 1000.0 + " CPUs" : "unlimited")
                    + ", pids " + (l.path("pids").asLong(0) > 0 ? Fmt.text(l.path("pids")) : "unlimited")});
            JsonNode n = s.path("network");
            kv.add(new String[] {"Network", n.isMissingNode() ? "none" : Fmt.text(n.path("mode"))
                    + (n.hasNonNull("address") ? " " + n.get("address").asText() : "")
                    + (n.hasNonNull("gateway") ? " via " + n.get("gateway").asText() : "")
                    + (n.hasNonNull("bridge") ? " on " + n.get("bridge").asText() : "")});
            for (JsonNode m : s.path("mounts")) {
                kv.add(new String[] {"Mount", Fmt.text(m.path("hostPath")) + " -> " + Fmt.text(m.path("containerPath"))
                        + (m.path("readOnly").asBoolean(false) ? " (ro)" : "")});
            }
            confinement(kv, s.path("security"), c.path("confinement"));
            for (Map.Entry<String, JsonNode> e : s.path("env").properties()) {
                kv.add(new String[] {"Env", e.getKey() + "=" + e.getValue().asText()});
            }
            JsonNode st = c.path("stats");
            if (!st.isMissingNode() && !st.isNull()) {
                kv.add(new String[] {"Memory", Fmt.bytes(st.path("memoryBytes"))});
                kv.add(new String[] {"CPU time", st.path("cpuNanos").isNumber()
                        ? String.format(java.util.Locale.ROOT, "%.2fs", st.get("cpuNanos").asLong() / 1e9) : "-"});
                kv.add(new String[] {"Processes", Fmt.text(st.path("pids"))});
            }
            int w = kv.stream().mapToInt(a -> a[0].length()).max().orElse(0) + 2;
            for (String[] a : kv) {
                out().println((a[0] + ":" + " ".repeat(w)).substring(0, w) + a[1]);
            }
            out().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a container's console output.")
    static final class Logs extends BaseCommand {
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = {"-f", "--follow"}, description = "Keep printing new output until interrupted.")
        boolean follow;
        @Option(names = {"-n", "--tail"}, paramLabel = "N", description = "Only the last N lines (then new ones with -f).")
        Integer tail;

        @Override
        int run(DaemonClient client) throws IOException {
            if (tail != null && tail < 0) {
                throw usage("--tail wants a number of lines, 0 or more");
            }
            String query = tail == null ? "" : "tail=" + tail;
            if (!follow) {
                out().print(client.get(containerPath(name, "logs") + (query.isEmpty() ? "" : "?" + query)).body());
                out().flush();
                return ExitCodes.OK;
            }
            try (DaemonClient.LineStream lines = client.stream(containerPath(name, "logs") + "?follow=true"
                    + (query.isEmpty() ? "" : "&" + query))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    out().println(line);
                    out().flush(); // a follower wants each line as it comes
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "exec", mixinStandardHelpOptions = true,
            description = {"Run a command in a running container; its output and errors come as they are written.",
                    "Exits with the command's exit code, or 124 when --timeout killed it."})
    static final class Exec extends BaseCommand {
        /** As timeout(1): the command was killed at its time limit. */
        static final int TIMED_OUT = 124;

        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD", description = "The command; put it after --.")
        List<String> command;
        @Option(names = "--timeout", paramLabel = "S", description = "Kill it after S seconds (default: no limit).")
        Integer timeout;
        @Option(names = {"-i", "--interactive"},
                description = "Send this command's input (a terminal or a pipe) to the command's stdin, as it comes.")
        boolean interactive;
        @Option(names = {"-t", "--tty"},
                description = "Run it on a terminal; with -i (-it) an interactive shell: this terminal goes raw until it ends.")
        boolean tty;

        @Override
        int run(DaemonClient client) throws IOException {
            if (tty) {
                LocalTerminal local = LocalTerminal.ofStdin().orElseThrow(() -> usage(
                        "-t needs this command's input to be a terminal (use -i alone for a pipe)"));
                try (local) {
                    if (interactive) {
                        local.makeRaw(); // keys go to the command as typed, ^C included
                    }
                    return attached(client, local);
                }
            }
            if (interactive) {
                return attached(client, null);
            }
            try (DaemonClient.LineStream frames = client.stream("POST", containerPath(name, "exec") + "?stream=true",
                    DaemonClient.body("command", command, "timeoutSeconds", timeout))) {
                // bytes as they are: the command's output need not be text
                java.io.OutputStream stdout = root().quiet ? java.io.OutputStream.nullOutputStream() : root().stdout;
                java.io.OutputStream stderr = root().stderr;
                String line;
                while ((line = frames.readLine()) != null) {
                    JsonNode f = DaemonClient.json().readTree(line.isEmpty() ? "{}" : line);
                    if (f.has("stdout")) {
                        stdout.write(java.util.Base64.getDecoder().decode(f.get("stdout").asText()));
                        stdout.flush();
                    } else if (f.has("stderr")) {
                        stderr.write(java.util.Base64.getDecoder().decode(f.get("stderr").asText()));
                        stderr.flush();
                    } else if (f.has("exitCode")) {
                        if (f.path("timedOut").asBoolean()) {
                            err().println("godwit: " + String.join(" ", command) + " in " + name + " killed after "
                                    + timeout + " s (--timeout)");
                            err().flush();
                            return TIMED_OUT;
                        }
                        return f.get("exitCode").asInt();
                    }
                }
            }
            throw new IOException("the daemon ended the exec stream of " + name + " without the command's exit code");
        }

        /** -i (and -t): one upgraded connection carries the input there and the output back (ExecFrames). */
        private int attached(DaemonClient client, LocalTerminal terminal) throws IOException {
            java.util.Map<String, Object> body = new java.util.LinkedHashMap<>(
                    DaemonClient.body("command", command, "timeoutSeconds", timeout));
            if (terminal != null) {
                body.put("tty", true);
                terminal.size().ifPresent(sz -> {
                    body.put("columns", sz[0]);
                    body.put("rows", sz[1]);
                });
            }
            try (DaemonClient.Upgraded session = client.upgrade("POST", containerPath(name, "exec") + "?attach=true",
                    body, ExecFrames.PROTOCOL)) {
                Object lock = new Object();
                if (terminal != null) {
                    terminal.onResize(sz -> {
                        synchronized (lock) {
                            try {
                                ExecFrames.write(session.out(), ExecFrames.RESIZE, ExecFrames.resize(sz[0], sz[1]));
                            } catch (IOException ended) {
                                // the session is over
                            }
                        }
                    });
                }
                if (interactive) {
                    Thread input = new Thread(() -> forwardInput(session, lock), "exec-stdin");
                    input.setDaemon(true); // a blocked read of our stdin must not keep the CLI alive
                    input.start();
                }
                java.io.OutputStream stdout = root().quiet ? java.io.OutputStream.nullOutputStream() : root().stdout;
                ExecFrames.Frame f;
                while ((f = ExecFrames.read(session.in())) != null) {
                    switch (f.kind()) {
                        case ExecFrames.STDOUT -> {
                            stdout.write(f.payload());
                            stdout.flush();
                        }
                        case ExecFrames.STDERR -> {
                            root().stderr.write(f.payload());
                            root().stderr.flush();
                        }
                        case ExecFrames.EXIT -> {
                            if (f.timedOut()) {
                                err().println("godwit: " + String.join(" ", command) + " in " + name + " killed after "
                                        + timeout + " s (--timeout)");
                                err().flush();
                                return TIMED_OUT;
                            }
                            return f.exitCode();
                        }
                        default -> { } // a later version's frame
                    }
                }
            }
            throw new IOException("the daemon ended the exec session of " + name + " without the command's exit code");
        }

        private static void forwardInput(DaemonClient.Upgraded session, Object lock) {
            byte[] buf = new byte[16 * 1024];
            try {
                int n;
                while ((n = System.in.read(buf)) > 0) {
                    synchronized (lock) {
                        ExecFrames.write(session.out(), ExecFrames.STDIN, buf, 0, n);
                    }
                }
                synchronized (lock) {
                    ExecFrames.write(session.out(), ExecFrames.STDIN_EOF, new byte[0]);
                }
            } catch (IOException e) {
                // the session ended: its exit (or the lost connection) is what the main thread reports
            }
        }
    }

    @Command(name = "delete", aliases = "rm", mixinStandardHelpOptions = true,
            description = "Delete containers (each refused while it runs, unless --force); the others go on.")
    static final class Delete extends BaseCommand {
        @Parameters(paramLabel = "NAME", arity = "1..*") List<String> names;
        @Option(names = {"-f", "--force"}, description = "Kill it first if it is running.")
        boolean force;

        /** Each name in turn; one that cannot be deleted is said and the others are still deleted. */
        @Override
        int run(DaemonClient client) throws IOException {
            if (names.size() == 1) {
                client.delete(containerPath(names.get(0)) + (force ? "?force=true" : ""));
                return ExitCodes.OK;
            }
            int exit = ExitCodes.OK;
            for (String name : names) {
                try {
                    client.delete(containerPath(name) + (force ? "?force=true" : ""));
                } catch (ApiException e) {
                    err().println("godwit: " + name + ": " + e.getMessage());
                    err().flush();
                    exit = ExitCodes.forStatus(e.status());
                }
            }
            return exit;
        }
    }

    /** The spec's confinement, and (running) what the kernel reports of the init. */
    static void confinement(List<String[]> kv, JsonNode sec, JsonNode live) {
        if (sec.isMissingNode() || sec.isNull()) {
            kv.add(new String[] {"Confinement", "none recorded (created before confinement existed)"});
            return;
        }
        List<String> caps = new ArrayList<>();
        sec.path("capabilities").forEach(n -> caps.add(n.asText().replaceFirst("^CAP_", "")));
        kv.add(new String[] {"Capabilities", caps.isEmpty() ? "none" : String.join(" ", caps)});
        String seccomp = sec.path("seccomp").asText("default");
        if (seccomp.equals("custom")) {
            seccomp += " profile (" + sec.path("seccompProfile").path("syscalls").size() + " rules, default "
                    + sec.path("seccompProfile").path("defaultAction").asText() + ")";
        }
        kv.add(new String[] {"Seccomp", seccomp});
        kv.add(new String[] {"No new privs", sec.path("noNewPrivileges").asBoolean(true) ? "yes" : "no"});
        List<String> groups = new ArrayList<>();
        sec.path("groups").forEach(n -> groups.add(n.asText()));
        kv.add(new String[] {"User", (sec.hasNonNull("user") ? sec.get("user").asText() : "0:0 (root)")
                + (groups.isEmpty() ? "" : ", groups " + String.join(",", groups))});
        kv.add(new String[] {"User namespace", userns(sec.path("userns"))});
        List<String> tmpfs = new ArrayList<>();
        sec.path("tmpfs").forEach(n -> tmpfs.add(n.asText()));
        kv.add(new String[] {"Root filesystem", (sec.path("readOnlyRootfs").asBoolean(false) ? "read-only" : "read-write")
                + (tmpfs.isEmpty() ? "" : ", tmpfs on " + String.join(" ", tmpfs))});
        kv.add(new String[] {"Masked paths", join(sec.path("maskedPaths"))});
        kv.add(new String[] {"Read-only paths", join(sec.path("readonlyPaths"))});
        if (!live.isMissingNode() && !live.isNull() && live.has("seccomp")) {
            List<String> eff = new ArrayList<>();
            live.path("effectiveCapabilities").forEach(n -> eff.add(n.asText().replaceFirst("^CAP_", "")));
            kv.add(new String[] {"Live (kernel)", "uid " + Fmt.text(live.path("uid")) + ", effective caps "
                    + (eff.isEmpty() ? "none" : eff.size()) + ", seccomp " + live.path("seccomp").asText()
                    + " (" + live.path("seccompFilters").asInt() + " filters), no_new_privs "
                    + (live.path("noNewPrivileges").asBoolean() ? "on" : "off")});
        }
    }

    /** "container 0-65535 = host uids 1073741824-1073807359, gids ..." from the spec's recorded range. */
    static String userns(JsonNode ns) {
        if (ns.isMissingNode() || ns.isNull()) {
            return "none (container root is host root, confined as above)";
        }
        if (!ns.hasNonNull("hostUid")) {
            return "requested, no range recorded yet";
        }
        long size = ns.path("size").asLong();
        long uid = ns.path("hostUid").asLong();
        long gid = ns.path("hostGid").asLong();
        return "container ids 0-" + (size - 1) + " = host uids " + uid + "-" + (uid + size - 1) + ", gids " + gid + "-"
                + (gid + size - 1) + " (container root is host uid " + uid + ")";
    }

    static String pid(JsonNode c) {
        return c.path("pid").asLong(0) > 0 ? c.get("pid").asText() : "-";
    }

    static String join(JsonNode array) {
        if (!array.isArray() || array.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        array.forEach(a -> parts.add(a.asText()));
        return String.join(" ", parts);
    }
}
