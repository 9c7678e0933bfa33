package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code godwit launch}: create and start a container from an image, or warm-start new
 * containers from a checkpoint of a running one ({@code --from}).
 */
@Command(name = "launch", mixinStandardHelpOptions = true,
        description = {
                "Create and start a container, or warm-start containers from a checkpoint.",
                "",
                "  godwit launch IMAGE NAME [options] -- CMD...",
                "  godwit launch --from NAME[/CHECKPOINT] NEWNAME [--count N]",
                "",
                "With --count N > 1 the new containers are named NEWNAME-1..NEWNAME-N.",
                ""},
        sortOptions = false)
final class LaunchCommand extends BaseCommand {
    /** Everything positional; what it means depends on --from, so it is sorted out in run(). */
    @Parameters(paramLabel = "ARGS", arity = "0..*",
            description = "IMAGE NAME -- CMD..., or NEWNAME with --from. Put the command after --.")
    List<String> args = new ArrayList<>();

    @Option(names = "--from", paramLabel = "NAME[/CHECKPOINT]",
            description = "Warm start from this container's checkpoint (its newest when CHECKPOINT is omitted).")
    String from;
    @Option(names = "--count", paramLabel = "N", description = "How many containers to warm-start (default 1).")
    Integer count;
    @Option(names = "--no-wait", description = "Print the warm start's operation id instead of waiting.")
    boolean noWait;

    @Option(names = "--memory", paramLabel = "SIZE", converter = Sizes.Converter.class,
            description = "Memory limit, e.g. 64M, 1G, 512k (binary units).")
    Long memory;
    @Option(names = "--cpus", paramLabel = "CPUS", description = "CPU limit in CPUs, e.g. 0.5.")
    Double cpus;
    @Option(names = "--pids", paramLabel = "N", description = "Maximum number of processes.")
    Integer pids;
    @Option(names = "--network", paramLabel = "MODE", description = "none (default) or bridge.")
    String network;
    @Option(names = "--address", paramLabel = "CIDR", description = "Address with bridge networking, e.g. 10.77.0.5/24; with --from, one per clone, comma-separated.")
    String address;
    @Option(names = "--gateway", paramLabel = "IP", description = "Default gateway with bridge networking.")
    String gateway;
    @Option(names = "--bridge", paramLabel = "NAME", description = "Host bridge to attach to.")
    String bridge;
    @Option(names = {"-v", "--volume"}, paramLabel = "HOST:CT[:ro]", description = "Bind-mount a host path (repeatable).")
    List<String> volumes = new ArrayList<>();
    @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "Environment variable (repeatable).")
    List<String> env = new ArrayList<>();
    @Option(names = "--cwd", paramLabel = "DIR", description = "Working directory of the command.")
    String cwd;
    @Option(names = "--hostname", paramLabel = "H", description = "Host name (default: the container's name).")
    String hostname;
    @Option(names = "--no-start", description = "Create the container without starting it.")
    boolean noStart;
    @Option(names = "--cap-add", paramLabel = "CAP", description = "Add a capability to the default set (repeatable; ALL for every one).")
    List<String> capAdd = new ArrayList<>();
    @Option(names = "--cap-drop", paramLabel = "CAP", description = "Drop a capability from the default set (repeatable; ALL for every one).")
    List<String> capDrop = new ArrayList<>();
    @Option(names = "--security-opt", paramLabel = "OPT",
            description = "no-new-privileges=false, seccomp=unconfined or seccomp=PROFILE.json (Docker/OCI format); repeatable.")
    List<String> securityOpts = new ArrayList<>();
    @Option(names = {"-u", "--user"}, paramLabel = "UID[:GID]", description = "Run the command as this user (numeric).")
    String user;
    @Option(names = "--group-add", paramLabel = "GID", description = "Supplementary group (repeatable).")
    List<Long> groupAdd = new ArrayList<>();
    @Option(names = "--read-only", description = "Mount the container's root filesystem read-only.")
    boolean readOnly;
    @Option(names = "--tmpfs", paramLabel = "DIR", description = "Mount a fresh tmpfs at DIR (repeatable), e.g. with --read-only.")
    List<String> tmpfs = new ArrayList<>();
    @Option(names = "--userns", description = "Give the container its own user namespace: its root is an unprivileged"
            + " host user of a range of 65536 ids the daemon picks and records (shown by info).")
    boolean userns;

    @Option(names = "--on-node-failure", paramLabel = "none|restore",
            description = "In a fleet: restore = replicate its scheduled checkpoints to another member, which restores"
                    + " the newest when this member dies (docs/CLUSTER.md); none (default) = nothing.")
    String onNodeFailure;

    @Mixin Format format;

    @Override
    int run(DaemonClient client) throws IOException {
        return from != null ? warmStart(client) : create(client);
    }

    private int create(DaemonClient client) throws IOException {
        if (count != null) {
            throw usage("--count needs --from: only warm starts make several containers at once");
        }
        if (args.size() < 2) {
            throw usage("launch needs IMAGE and NAME (and the command after --)");
        }
        if (onNodeFailure != null && !onNodeFailure.equals("none") && !onNodeFailure.equals("restore")) {
            throw usage("--on-node-failure takes none or restore, not '" + onNodeFailure + "'");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", args.get(1));
        body.put("spec", spec(args.get(0), args.get(1), args.subList(2, args.size())));
        body.put("start", !noStart);
        JsonNode c = client.post("/1.0/containers", body).json();
        if (onNodeFailure != null) {
            // before its first scheduled checkpoint: that one is replicated already
            client.put("/1.0/containers/" + DaemonClient.seg(args.get(1)) + "/failover", Map.of("onNodeFailure", onNodeFailure));
        }
        if (format.json()) {
            printJson(c);
        } else {
            out().printf("Launched %s (%s%s)%n", Fmt.text(c.path("name")), Fmt.text(c.path("status")),
                    c.path("pid").asLong(0) > 0 ? ", pid " + c.path("pid").asLong() : "");
            out().flush();
        }
        return diedAtOnce(c);
    }

    /**
     * A container that was started and has already ended badly (killed by its memory limit, a command
     * that does not exist) is no successful launch: say so and exit 1. One that ended with 0 did its work.
     */
    private int diedAtOnce(JsonNode c) {
        JsonNode exit = c.path("exit");
        if (noStart || "RUNNING".equals(c.path("status").asText()) || exit.isMissingNode() || exit.isNull()) {
            return ExitCodes.OK;
        }
        int code = exit.path("exitCode").asInt(0);
        int signal = exit.path("signal").asInt(0);
        if (code == 0 && signal == 0) {
            return ExitCodes.OK;
        }
        err().println("godwit: " + Fmt.text(c.path("name")) + " stopped at once ("
                + (signal != 0 ? "killed by signal " + signal + (signal == 9 ? ", e.g. by its memory limit" : "")
                        : "exit code " + code) + "): see `godwit logs " + Fmt.text(c.path("name")) + "`");
        err().flush();
        return ExitCodes.FAILED;
    }

    /** The spec object of docs/API.md; fields not given are left out so the daemon's defaults apply. */
    Map<String, Object> spec(String image, String name, List<String> command) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("image", image);
        if (!command.isEmpty()) {
            spec.put("command", List.copyOf(command));
        }
        Map<String, String> envMap = new LinkedHashMap<>();
        for (String kv : env) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw usage("-e wants K=V, got '" + kv + "'");
            }
            envMap.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        if (!envMap.isEmpty()) {
            spec.put("env", envMap);
        }
        if (cwd != null) {
            spec.put("cwd", cwd);
        }
        spec.put("hostname", hostname != null ? hostname : name);
        List<Map<String, Object>> mounts = new ArrayList<>();
        for (String v : volumes) {
            mounts.add(mount(v));
        }
        if (!mounts.isEmpty()) {
            spec.put("mounts", mounts);
        }
        Map<String, Object> limits = new LinkedHashMap<>();
        if (memory != null) {
            limits.put("memoryBytes", memory);
        }
        if (cpus != null) {
            if (!(cpus > 0) || cpus > 4096) {
                throw usage("--cpus must be a positive number of CPUs, e.g. 0.5");
            }
            limits.put("cpuMillis", Math.max(1, Math.round(cpus * 1000)));
        }
        if (pids != null) {
            if (pids <= 0) {
                throw usage("--pids must be positive");
            }
            limits.put("pids", pids);
        }
        if (!limits.isEmpty()) {
            spec.put("limits", limits);
        }
        Map<String, Object> net = new LinkedHashMap<>();
        String mode = network != null ? network : (address != null || bridge != null ? "bridge" : null);
        if (mode != null) {
            if (!mode.equals("none") && !mode.equals("bridge")) {
                throw usage("--network must be none or bridge, got '" + mode + "'");
            }
            if (mode.equals("none") && (address != null || gateway != null || bridge != null)) {
                throw usage("--address, --gateway and --bridge need --network bridge");
            }
            net.put("mode", mode);
            putIfSet(net, "bridge", bridge);
            putIfSet(net, "address", address);
            putIfSet(net, "gateway", gateway);
            spec.put("network", net);
        } else if (gateway != null) {
            throw usage("--gateway needs --network bridge");
        }
        Map<String, Object> security = security();
        if (!security.isEmpty()) {
            spec.put("security", security);
        }
        return spec;
    }

    /** The spec's "security" object; what is not given is left to the daemon's defaults (confined). */
    Map<String, Object> security() {
        Map<String, Object> sec = new LinkedHashMap<>();
        if (!capAdd.isEmpty()) {
            sec.put("capAdd", List.copyOf(capAdd));
        }
        if (!capDrop.isEmpty()) {
            sec.put("capDrop", List.copyOf(capDrop));
        }
        for (String opt : securityOpts) {
            int eq = opt.indexOf('=');
            String key = eq < 0 ? opt : opt.substring(0, eq);
            String value = eq < 0 ? "" : opt.substring(eq + 1);
            switch (key) {
                case "no-new-privileges" -> {
                    if (!value.isEmpty() && !value.equals("true") && !value.equals("false")) {
                        throw usage("--security-opt no-new-privileges wants true or false, got '" + value + "'");
                    }
                    sec.put("noNewPrivileges", !value.equals("false"));
                }
                case "seccomp" -> {
                    if (value.equals("unconfined") || value.equals("default")) {
                        sec.put("seccomp", value);
                    } else if (!value.isEmpty()) {
                        sec.put("seccomp", "custom");
                        sec.put("seccompProfile", readProfile(value));
                    } else {
                        throw usage("--security-opt seccomp wants unconfined, default or a profile file");
                    }
                }
                default -> throw usage("unknown --security-opt '" + opt
                        + "' (known: no-new-privileges=false, seccomp=unconfined|PROFILE.json)");
            }
        }
        if (user != null) {
            sec.put("user", user);
        }
        if (!groupAdd.isEmpty()) {
            sec.put("groups", List.copyOf(groupAdd));
        }
        if (readOnly) {
            sec.put("readOnlyRootfs", true);
        }
        if (!tmpfs.isEmpty()) {
            sec.put("tmpfs", List.copyOf(tmpfs));
        }
        if (userns) {
            sec.put("userns", Map.of()); // the daemon allocates the range
        }
        return sec;
    }

    private JsonNode readProfile(String file) {
        java.nio.file.Path p = java.nio.file.Path.of(file);
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(java.nio.file.Files.readString(p));
        } catch (IOException e) {
            throw usage("seccomp profile " + file + ": " + e.getMessage());
        }
    }

    /** "HOST:CT" or "HOST:CT:ro"/":rw"; host paths are made absolute, as the daemon needs. */
    Map<String, Object> mount(String v) {
        String[] parts = v.split(":", -1);
        boolean ro = false;
        if (parts.length == 3 && (parts[2].equals("ro") || parts[2].equals("rw"))) {
            ro = parts[2].equals("ro");
        } else if (parts.length != 2) {
            throw usage("-v wants HOST:CT[:ro], got '" + v + "'");
        }
        if (parts[0].isEmpty() || !parts[1].startsWith("/")) {
            throw usage("-v wants HOST:CT[:ro] with an absolute container path, got '" + v + "'");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hostPath", java.nio.file.Path.of(parts[0]).toAbsolutePath().normalize().toString());
        m.put("containerPath", parts[1]);
        m.put("readOnly", ro);
        return m;
    }

    /** The options a warm start cannot honour: a clone runs as its checkpoint was made. */
    private List<String> notForWarmStarts() {
        List<String> given = new ArrayList<>();
        if (memory != null) given.add("--memory");
        if (cpus != null) given.add("--cpus");
        if (pids != null) given.add("--pids");
        if (onNodeFailure != null) given.add("--on-node-failure");
        if (network != null) given.add("--network");
        if (gateway != null) given.add("--gateway");
        if (bridge != null) given.add("--bridge");
        if (!volumes.isEmpty()) given.add("--volume");
        if (!env.isEmpty()) given.add("--env");
        if (cwd != null) given.add("--cwd");
        if (hostname != null) given.add("--hostname");
        if (noStart) given.add("--no-start");
        if (!capAdd.isEmpty()) given.add("--cap-add");
        if (!capDrop.isEmpty()) given.add("--cap-drop");
        if (!securityOpts.isEmpty()) given.add("--security-opt");
        if (user != null) given.add("--user");
        if (!groupAdd.isEmpty()) given.add("--group-add");
        if (readOnly) given.add("--read-only");
        if (!tmpfs.isEmpty()) given.add("--tmpfs");
        if (userns) given.add("--userns");
        return given;
    }

    private int warmStart(DaemonClient client) throws IOException {
        if (args.size() != 1) {
            throw usage("launch --from NAME[/CHECKPOINT] takes exactly one NEWNAME (no image, no command)");
        }
        List<String> ignored = notForWarmStarts();
        if (!ignored.isEmpty()) {
            // refused rather than dropped: a clone is its checkpoint's process tree, with its limits,
            // environment, mounts and confinement; only its name, host name and address are its own
            throw usage(String.join(", ", ignored) + (ignored.size() == 1 ? " does" : " do")
                    + " not apply to a warm start: a clone runs as its checkpoint was made (only --count,"
                    + " --address and the new name are its own)");
        }
        if (count != null && count < 1) {
            throw usage("--count must be at least 1");
        }
        int slash = from.indexOf('/');
        String source = slash < 0 ? from : from.substring(0, slash);
        String checkpoint = slash < 0 ? null : from.substring(slash + 1);
        if (source.isEmpty() || (checkpoint != null && checkpoint.isEmpty())) {
            throw usage("--from wants NAME or NAME/CHECKPOINT, got '" + from + "'");
        }
        if (checkpoint == null) {
            // The API needs an id; the newest checkpoint is what people mean by "from c1".
            JsonNode list = client.get(containerPath(source, "checkpoints")).json();
            if (!list.isArray() || list.isEmpty()) {
                throw new CliException(ExitCodes.NOT_FOUND, "container " + source + " has no checkpoints");
            }
            checkpoint = list.get(0).path("id").asText();
        }
        String newName = args.get(0);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", newName);
        body.put("from", DaemonClient.body("container", source, "checkpoint", checkpoint));
        body.put("count", count == null ? 1 : count);
        if (address != null) {
            // a bridged template's clones each need their own: --address A1,A2,... (one per clone)
            body.put("addresses", List.of(address.split(",")));
        }
        JsonNode op = client.post("/1.0/containers", body).json();
        if (noWait) {
            return printOperationStarted(op, format);
        }
        JsonNode done = await(client, op, "warm start");
        if (format.json()) {
            printJson(done);
            return ExitCodes.OK;
        }
        int n = count == null ? 1 : count;
        String names = n == 1 ? newName : newName + "-1.." + newName + "-" + n;
        out().printf("Launched %s from %s/%s%s%n", names, source, checkpoint, elapsed(done));
        out().flush();
        return ExitCodes.OK;
    }

    private static String elapsed(JsonNode op) {
        JsonNode ms = op.path("result").path("elapsedMs");
        return ms.isNumber() ? " in " + ms.asLong() + " ms" : "";
    }

    private static void putIfSet(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
