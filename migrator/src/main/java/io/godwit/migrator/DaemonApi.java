package io.godwit.migrator;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.criu.CriuClient;
import io.godwit.migrator.api.ApiException;
import io.godwit.migrator.api.ApiRequest;
import io.godwit.migrator.api.Json;
import io.godwit.migrator.api.Reply;
import io.godwit.migrator.api.Router;
import io.godwit.migrator.api.StreamReply;
import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.catalog.CheckpointRecord;
import io.godwit.migrator.checkpoint.CheckpointService;
import io.godwit.migrator.ops.EventBus;
import io.godwit.migrator.ops.Operation;
import io.godwit.migrator.ops.OperationManager;
import io.godwit.migrator.move.MoveService;
import io.godwit.migrator.peer.PeerLink;
import io.godwit.runtime.ContainerName;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.ContainerSpec;
import io.godwit.runtime.ContainerState;
import io.godwit.runtime.ExecProcess;
import io.godwit.runtime.ExecResult;
import io.godwit.runtime.confine.Capabilities;
import io.godwit.runtime.confine.ProcStatus;
import io.godwit.runtime.image.ImageStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** The REST API of docs/API.md, bound to the daemon's services. */
final class DaemonApi {
    private final ContainerRuntime runtime;
    private final ImageStore images;
    private final CheckpointService checkpoints;
    private final OperationManager operations;
    private final Catalog catalog;
    private final EventBus events;
    private final CriuClient criu;
    private final DaemonConfig config;
    private final PeerLink peers;
    private final MoveService moves;
    private volatile ContainerDefaults containerDefaults = ContainerDefaults.NONE.withBuiltIns();
    private volatile io.godwit.migrator.host.ProbedHost host;
    private volatile io.godwit.migrator.metrics.DaemonMetrics metrics;

    DaemonApi(DaemonConfig config, ContainerRuntime runtime, ImageStore images, CheckpointService checkpoints,
            OperationManager operations, Catalog catalog, EventBus events, CriuClient criu, PeerLink peers,
            MoveService moves) {
        this.peers = peers;
        this.moves = moves;
        this.config = config;
        this.runtime = runtime;
        this.images = images;
        this.checkpoints = checkpoints;
        this.operations = operations;
        this.catalog = catalog;
        this.events = events;
        this.criu = criu;
    }

    /** What the host probe found, served under "host" in GET /1.0 (what `godwit doctor` shows). */
    void hostReport(io.godwit.migrator.host.ProbedHost host) {
        this.host = host;
    }

    /** The metrics served at GET /metrics. */
    void metrics(io.godwit.migrator.metrics.DaemonMetrics metrics) {
        this.metrics = metrics;
    }

    private io.godwit.migrator.metrics.DaemonMetrics metrics() {
        if (metrics == null) {
            throw new ApiException(503, "metrics are not ready yet: the daemon is starting");
        }
        return metrics;
    }

    /** Limits for new containers whose request leaves them out (from the settings file). */
    void containerDefaults(ContainerDefaults defaults) {
        this.containerDefaults = defaults.withBuiltIns();
    }

    Router router() {
        return new ImageRoutes(images, runtime).addTo(new Router())
                .add("GET", "/1.0", r -> info())
                .add("GET", "/1.0/openapi", r -> io.godwit.migrator.api.OpenApi.reply())
                .add("GET", "/metrics", r -> metrics().scrape())
                .add("GET", "/1.0/containers", r -> containers())
                .add("POST", "/1.0/containers", this::createContainer)
                .add("GET", "/1.0/containers/{name}", r -> container(name(r), true))
                .add("DELETE", "/1.0/containers/{name}", this::deleteContainer)
                .add("POST", "/1.0/containers/{name}/state", this::changeState)
                .add("GET", "/1.0/containers/{name}/logs", this::logs)
                .add("POST", "/1.0/containers/{name}/exec", this::exec)
                .add("GET", "/1.0/containers/{name}/checkpoints", this::listCheckpoints)
                .add("POST", "/1.0/containers/{name}/checkpoints", this::checkpoint)
                .add("DELETE", "/1.0/containers/{name}/checkpoints/{id}", this::deleteCheckpoint)
                .add("POST", "/1.0/containers/{name}/restore", this::restore)
                .add("PUT", "/1.0/containers/{name}/schedule", this::putSchedule)
                .add("DELETE", "/1.0/containers/{name}/schedule", this::deleteSchedule)
                .add("GET", "/1.0/schedules", r -> schedules())
                .add("GET", "/1.0/operations", r -> operations.list())
                .add("GET", "/1.0/operations/{id}", r -> operation(r.param("id")))
                .add("GET", "/1.0/operations/{id}/wait", this::waitOperation)
                .add("DELETE", "/1.0/operations/{id}", this::cancelOperation)
                .add("GET", "/1.0/events", r -> eventStream())
                .add("POST", "/1.0/containers/{name}/move", this::move)
                .add("POST", "/1.0/trust/tokens", r -> {
                    String role = r.json(Json.MAPPER).path("role").asText(null);
                    return Reply.created(Map.of("token", peers.issueToken(role)));
                })
                .add("GET", "/1.0/trust", r -> peers.trusted())
                .add("DELETE", "/1.0/trust/{fingerprint}", r -> {
                    peers.revokeTrust(r.param("fingerprint"));
                    return Map.of();
                })
                .add("GET", "/1.0/remotes", r -> peers.remotes())
                .add("POST", "/1.0/remotes", this::addRemote)
                .add("DELETE", "/1.0/remotes/{remote}", r -> peers.removeRemote(r.param("remote")));
    }

    private Map<String, Object> info() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", GodwitDaemon.VERSION);
        m.put("api", io.godwit.migrator.api.ApiVersion.CURRENT);
        io.godwit.migrator.host.HostReport report = host == null ? null : host.reportNow();
        if (report != null) { // probed at start: no criu to spawn for every GET /1.0
            var f = report.facts();
            m.put("criu", Map.of("version", f.criuVersion(), "features",
                    new io.godwit.criu.CriuFeatures(f.memTrack(), f.lazyPages(), f.pidfdStore())));
        } else if (host == null) {
            m.put("criu", Map.of("version", criu.version().toString(), "features", criu.features()));
        } else { // still probing: a GET /1.0 must not wait for it
            m.put("criu", Map.of("probing", true));
        }
        m.put("root", config.root().toString());
        m.put("socket", config.socket().toString());
        m.put("fingerprint", peers.identity().fingerprint());
        var listen = peers.listenAddress();
        m.put("listen", listen == null ? null : listen.getHostString() + ":" + listen.getPort());
        // while the probe runs (a second or two at the daemon's first start): {"probing": true}
        m.put("host", report != null ? report : Map.of("probing", host != null && !host.done()));
        return m;
    }

    private static String name(ApiRequest r) {
        String n = r.param("name");
        try {
            ContainerName.validate(n);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        return n;
    }

    // --- containers --------------------------------------------------------------------

    private List<Map<String, Object>> containers() throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ContainerState s : runtime.list()) {
            out.add(describe(s, false));
        }
        return out;
    }

    private Map<String, Object> container(String name, boolean withStats) throws Exception {
        return describe(runtime.state(name), withStats);
    }

    private Map<String, Object> describe(ContainerState s, boolean withStats) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("status", s.status().name());
        m.put("pid", s.initPid());
        m.put("image", s.imageFingerprint());
        m.put("createdAt", s.createdAt());
        m.put("startedAt", s.startedAt());
        if (s.exit() != null) {
            m.put("exitCode", s.exit().exitCode());
            m.put("exitSignal", s.exit().signal());
        }
        try {
            m.put("spec", runtime.spec(s.name()));
            if (s.initPid() > 0) {
                m.put("confinement", liveConfinement(s.initPid()));
            }
            if (withStats && s.status() == ContainerState.Status.RUNNING) {
                m.put("stats", runtime.stats(s.name()));
            }
        } catch (Exception e) {
            m.put("warning", e.getMessage());
        }
        return m;
    }

    /** What the kernel says of the running init: the confinement it really has, not only what the spec asked. */
    private static Map<String, Object> liveConfinement(int pid) throws java.io.IOException {
        ProcStatus p = ProcStatus.of(pid);
        Map<String, Object> m = new LinkedHashMap<>();
        if (p == null) {
            return m;
        }
        m.put("effectiveCapabilities", Capabilities.names(p.capEff()));
        m.put("boundingCapabilities", Capabilities.names(p.capBnd()));
        m.put("ambientCapabilities", Capabilities.names(p.capAmb()));
        m.put("noNewPrivileges", p.noNewPrivs());
        m.put("seccomp", p.seccompMode() == 2 ? "filter" : p.seccompMode() == 1 ? "strict" : "none");
        m.put("seccompFilters", p.seccompFilters());
        m.put("uid", p.uids().isEmpty() ? null : p.uids().get(0));
        m.put("gid", p.gids().isEmpty() ? null : p.gids().get(0));
        m.put("groups", p.groups());
        return m;
    }

    private Object createContainer(ApiRequest r) throws Exception {
        JsonNode body = r.json(Json.MAPPER);
        String name = Fields.text(body, "name", "a container name such as web-1");
        try {
            ContainerName.validate(name);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        if (body.has("from")) {
            return warmStart(name, body);
        }
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!List.of("name", "spec", "start").contains(f)) {
                throw ApiException.badRequest("unknown field '" + f + "'");
            }
        }
        if (!body.has("spec")) {
            throw ApiException.badRequest("'spec' is required");
        }
        if (runtime.list().stream().anyMatch(s -> s.name().equals(name))) {
            throw ApiException.conflict("container " + name + " already exists");
        }
        ContainerSpec spec;
        try {
            JsonNode asked = ImageDefaults.applyTo(body.get("spec"), images);
            spec = ContainerSpec.fromJson(Json.MAPPER.writeValueAsString(asked)).withDefaults(name);
            spec = containerDefaults.applyTo(spec, body.get("spec").path("limits"));
            spec.validate();
        } catch (io.godwit.runtime.InvalidSpecException e) {
            // a type error: Jackson's words (Java class names) replaced by the field and what it takes
            if (e.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
                throw ApiException.badRequest("invalid container spec: " + Json.describe(j));
            }
            throw ApiException.badRequest(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        if (images.find(spec.image()).isEmpty()) {
            throw ApiException.notFound("image", spec.image());
        }
        runtime.create(name, spec, null);
        if (body.path("start").asBoolean(true)) {
            try {
                runtime.start(name);
            } catch (Exception e) {
                runtime.delete(name, true);
                throw e;
            }
        }
        events.publish("container", Map.of("name", name, "action", "created"));
        return Reply.created(container(name, false));
    }

    private Object deleteContainer(ApiRequest r) throws Exception {
        String name = name(r);
        runtime.delete(name, r.queryFlag("force"));
        events.publish("container", Map.of("name", name, "action", "deleted"));
        return Map.of();
    }

    record StateRequest(String action, Integer timeoutSeconds, Integer signal) {
    }

    private Object changeState(ApiRequest r) throws Exception {
        String name = name(r);
        StateRequest req = r.bind(Json.MAPPER, StateRequest.class);
        if (req.action() == null) {
            throw ApiException.badRequest("'action' is required: start, stop, kill, pause or resume");
        }
        Fields.range("signal", req.signal(), 1, Fields.MAX_SIGNAL);
        Fields.range("timeoutSeconds", req.timeoutSeconds(), 0, 3600);
        runtime.state(name);
        switch (req.action()) {
            case "start" -> runtime.start(name);
            case "stop" -> runtime.stop(name, Duration.ofSeconds(req.timeoutSeconds() == null ? 10 : req.timeoutSeconds()));
            case "kill" -> runtime.kill(name, req.signal() == null ? 9 : req.signal());
            case "pause" -> runtime.pause(name);
            case "resume" -> runtime.resume(name);
            default -> throw ApiException.badRequest("unknown action '" + req.action() + "': start, stop, kill, pause or resume");
        }
        events.publish("container", Map.of("name", name, "action", req.action()));
        return container(name, false);
    }

    private Object logs(ApiRequest r) throws Exception {
        String name = name(r);
        Path log = runtime.logFile(name);
        boolean follow = r.queryFlag("follow");
        String tailParam = r.queryOr("tail", null);
        Integer tail = null;
        if (tailParam != null) {
            try {
                tail = Integer.parseInt(tailParam);
            } catch (NumberFormatException e) {
                tail = -1;
            }
            if (tail < 0) {
                throw ApiException.badRequest("'tail' must be a number of lines (0 or more), not '" + tailParam + "'");
            }
        }
        long from = tail != null && Files.exists(log) ? LogTail.startOfLastLines(log, tail) : 0;
        return new StreamReply("text/plain; charset=utf-8", out -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = Files.exists(log) ? Files.newInputStream(log) : InputStream.nullInputStream()) {
                in.skipNBytes(Math.min(from, Files.exists(log) ? Files.size(log) : 0));
                while (true) {
                    int n = in.read(buf);
                    if (n > 0) {
                        out.write(buf, 0, n);
                        continue;
                    }
                    if (!follow || runtime.state(name).status() == ContainerState.Status.STOPPED) {
                        return;
                    }
                    Thread.sleep(200);
                }
            }
        });
    }

    /** tty, columns, rows: only with attach (a terminal needs input). */
    record ExecRequest(List<String> command, Integer timeoutSeconds, Boolean tty, Integer columns, Integer rows) {
    }

    private Object exec(ApiRequest r) throws Exception {
        String name = name(r);
        ExecRequest req = r.bind(Json.MAPPER, ExecRequest.class);
        if (req.command() == null || req.command().isEmpty()) {
            throw ApiException.badRequest("'command' is required: a list such as [\"/bin/true\"]");
        }
        Fields.range("timeoutSeconds", req.timeoutSeconds(), 1, 86400);
        Duration limit = req.timeoutSeconds() == null ? null : Duration.ofSeconds(req.timeoutSeconds());
        if (r.queryFlag("attach")) {
            // started before the 101, so that a container that does not run is an error reply
            Fields.range("columns", req.columns(), 1, 65535);
            Fields.range("rows", req.rows(), 1, 65535);
            ExecProcess proc = Boolean.TRUE.equals(req.tty())
                    ? runtime.startExecOnTerminal(name, req.command(), req.columns() == null ? 0 : req.columns(),
                            req.rows() == null ? 0 : req.rows())
                    : runtime.startExec(name, req.command(), true);
            return new io.godwit.migrator.api.UpgradeReply(io.godwit.migrator.cli.ExecFrames.PROTOCOL,
                    new ExecSession(proc, limit));
        }
        if (Boolean.TRUE.equals(req.tty())) {
            throw ApiException.badRequest("'tty' needs an attached exec (exec?attach=true with the upgrade): a terminal"
                    + " without input is of no use");
        }
        if (Boolean.parseBoolean(r.queryOr("stream", "false"))) {
            // started here, so that a container that does not run is an error reply, not a broken stream
            ExecProcess proc = runtime.startExec(name, req.command());
            return new StreamReply("application/x-ndjson", new ExecStream(proc,
                    req.timeoutSeconds() == null ? null : Duration.ofSeconds(req.timeoutSeconds())));
        }
        ExecResult res = runtime.exec(name, req.command(), Duration.ofSeconds(req.timeoutSeconds() == null ? 30 : req.timeoutSeconds()));
        return Map.of("exitCode", res.exitCode(), "output", res.stdout() + res.stderr(), "stdout", res.stdout(),
                "stderr", res.stderr(), "timedOut", res.timedOut(), "truncated", res.truncated());
    }

    // --- checkpoints -------------------------------------------------------------------

    private Object listCheckpoints(ApiRequest r) throws Exception {
        String name = name(r);
        return catalog.checkpointsOf(name).stream().filter(c -> c.state() == CheckpointRecord.State.COMPLETE)
                .map(CheckpointService::describe).toList();
    }

    private Object checkpoint(ApiRequest r) throws Exception {
        String name = name(r);
        boolean stop = r.json(Json.MAPPER).path("stop").asBoolean(false);
        checkpoints.requireRunning(name);
        Operation op = operations.start("checkpoint", name, checkpoints.claim(name, "checkpoint"), o -> {
            CheckpointRecord rec = checkpoints.checkpoint(name, stop, o);
            return Map.of("checkpoint", CheckpointService.describe(rec));
        });
        return Reply.accepted(op);
    }

    private Object deleteCheckpoint(ApiRequest r) throws Exception {
        String name = name(r);
        CheckpointRecord rec = checkpoints.pick(name, r.param("id"));
        checkpoints.discard(rec.id());
        return Map.of();
    }

    private Object restore(ApiRequest r) throws Exception {
        String name = name(r);
        JsonNode body = r.json(Json.MAPPER);
        String id = body.path("checkpoint").asText(null);
        if (id == null && !body.path("latest").asBoolean(false)) {
            throw ApiException.badRequest("give 'checkpoint' or 'latest': true");
        }
        // The state first: restoring onto a running container is wrong whatever checkpoint is named.
        if (runtime.list().stream().anyMatch(s -> s.name().equals(name) && s.status() != ContainerState.Status.STOPPED
                && s.status() != ContainerState.Status.CREATED)) {
            throw ApiException.conflict("container " + name + " is running: stop it before restoring it");
        }
        CheckpointRecord rec = checkpoints.pick(name, id);
        Operation op = operations.start("restore", name, checkpoints.claim(name, "restore"), o -> {
            ContainerState state = checkpoints.restore(rec, name, true, o);
            return Map.of("checkpoint", rec.id(), "pid", state.initPid());
        });
        return Reply.accepted(op);
    }

    // --- moves and remotes --------------------------------------------------------------

    record MoveRequest(String remote, String mode, String newName) {
    }

    private Object move(ApiRequest r) throws Exception {
        String name = name(r);
        MoveRequest req = r.bind(Json.MAPPER, MoveRequest.class);
        return Reply.accepted(moves.start(name, req.remote(), req.mode(), req.newName()));
    }

    record AddRemoteRequest(String name, String address, String token) {
    }

    private Object addRemote(ApiRequest r) throws Exception {
        AddRemoteRequest req = r.bind(Json.MAPPER, AddRemoteRequest.class);
        if (req.name() == null || req.address() == null || req.token() == null) {
            throw ApiException.badRequest("'name', 'address' and 'token' are required");
        }
        try {
            ContainerName.validate(req.name());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("remote name: " + e.getMessage());
        }
        return Reply.created(peers.addRemote(req.name(), req.address(), req.token()));
    }

    // --- warm starts -------------------------------------------------------------------

    /**
     * Starts N new containers from one checkpoint, concurrently, each with its own rootfs copy, name,
     * cgroup and identity (host name = its name; "addresses", one CIDR per clone, when the template
     * was bridged; /run/godwit/restored: see CloneIdentity). Names: NAME when count is 1, else
     * NAME-1..NAME-N. Any name taken is a 409 up front.
     */
    private Object warmStart(String name, JsonNode body) throws Exception {
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!List.of("name", "from", "count", "addresses").contains(f)) {
                throw ApiException.badRequest("unknown field '" + f + "'");
            }
        }
        JsonNode from = body.get("from");
        String source = from.path("container").asText("");
        String id = from.path("checkpoint").asText(null);
        int count = body.has("count") ? Fields.whole(body, "count") : 1;
        if (count < 1 || count > 256) {
            throw ApiException.badRequest("'count' must be between 1 and 256");
        }
        CheckpointRecord rec = checkpoints.pick(source, id);
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String n = count == 1 ? name : name + "-" + i;
            ContainerName.validate(n);
            names.add(n);
        }
        var existing = runtime.list().stream().map(ContainerState::name).toList();
        for (String n : names) {
            if (existing.contains(n)) {
                throw ApiException.conflict("container " + n + " already exists");
            }
        }
        List<String> addresses = cloneAddresses(body.get("addresses"), names.size());
        List<io.godwit.migrator.checkpoint.CloneIdentity> clones = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            clones.add(io.godwit.migrator.checkpoint.CloneIdentity.fresh(names.get(i), rec.container(), rec.id(),
                    addresses == null ? null : addresses.get(i)));
        }
        Operation op = operations.start("warm-start", name, o -> {
            long start = System.nanoTime();
            Map<String, Throwable> failures = checkpoints.launchClones(rec, clones, o);
            List<String> ok = names.stream().filter(n -> !failures.containsKey(n)).toList();
            List<String> failed = failures.entrySet().stream()
                    .map(e -> e.getKey() + ": " + io.godwit.migrator.api.HttpApiHandler.describe(e.getValue())).toList();
            if (!failed.isEmpty()) {
                throw new java.io.IOException(failed.size() + " of " + names.size() + " warm starts failed: "
                        + String.join("; ", failed));
            }
            return Map.of("containers", ok, "checkpoint", rec.id(),
                    "elapsedMs", (System.nanoTime() - start) / 1_000_000);
        });
        return Reply.accepted(op);
    }

    /** "addresses": null, or one distinct IPv4 CIDR per clone. */
    private static List<String> cloneAddresses(JsonNode node, int count) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray() || node.size() != count) {
            throw ApiException.badRequest("'addresses' must be an array of " + count + " CIDRs, one per clone");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode a : node) {
            String cidr = a.asText("");
            if (!a.isTextual() || !cidr.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}")) {
                throw ApiException.badRequest("'addresses': '" + a + "' is not an IPv4 CIDR like 10.0.3.2/24");
            }
            if (out.contains(cidr)) {
                throw ApiException.badRequest("'addresses': " + cidr + " is given twice: clones need their own");
            }
            out.add(cidr);
        }
        return out;
    }

    // --- schedules ---------------------------------------------------------------------

    record ScheduleRequest(String every, Integer keep) {
    }

    private Object putSchedule(ApiRequest r) throws Exception {
        String name = name(r);
        runtime.state(name);
        ScheduleRequest req = r.bind(Json.MAPPER, ScheduleRequest.class);
        long seconds = io.godwit.migrator.schedule.Every.parse(req.every()).toSeconds();
        int keep = req.keep() == null ? 5 : req.keep();
        if (keep < 1) {
            throw ApiException.badRequest("'keep' must be at least 1");
        }
        catalog.putSchedule(new io.godwit.migrator.catalog.ScheduleRecord(name, seconds, keep, Instant.now(), null));
        return scheduleOf(name);
    }

    private Object deleteSchedule(ApiRequest r) throws Exception {
        String name = name(r);
        if (!catalog.deleteSchedule(name)) {
            throw ApiException.notFound("schedule of container", name);
        }
        return Map.of();
    }

    private List<Map<String, Object>> schedules() throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (var s : catalog.schedules()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("container", s.container());
            m.put("everySeconds", s.everySeconds());
            m.put("keep", s.keep());
            m.put("lastRun", s.lastRun());
            m.put("nextRun", s.lastRun() == null ? null : s.lastRun().plusSeconds(s.everySeconds()));
            m.put("lastError", s.lastError());
            out.add(m);
        }
        return out;
    }

    private Object scheduleOf(String name) throws Exception {
        return schedules().stream().filter(m -> m.get("container").equals(name)).findFirst().orElseThrow();
    }

    // --- operations --------------------------------------------------------------------

    private Operation operation(String id) throws Exception {
        return operations.find(id).orElseThrow(() -> ApiException.notFound("operation", id));
    }

    private Object waitOperation(ApiRequest r) throws Exception {
        Operation op = operation(r.param("id"));
        // timeoutMillis lets a client that draws progress wake often and still learn of the end at once
        String millis = r.queryOr("timeoutMillis", null);
        long timeout = millis != null ? wholeNumber("timeoutMillis", millis)
                : TimeUnit.SECONDS.toMillis(wholeNumber("timeoutSeconds", r.queryOr("timeoutSeconds", "60")));
        op.await(Math.max(0, Math.min(timeout, TimeUnit.HOURS.toMillis(1))));
        return op;
    }

    private static long wholeNumber(String name, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("'" + name + "' must be a whole number, not '" + value + "'");
        }
    }

    private Object cancelOperation(ApiRequest r) throws Exception {
        Operation op = operation(r.param("id"));
        if (!operations.cancel(op.getId())) {
            if (op.isRunning()) {
                throw ApiException.conflict("operation " + op.getId() + " (" + op.getKind() + " of " + op.getTarget()
                        + ") is past its point of no return (" + op.getPhase() + "): it can no longer be cancelled;"
                        + " wait for it to say where the container runs");
            }
            throw ApiException.conflict("operation " + op.getId() + " is not running");
        }
        return Reply.accepted(op);
    }

    private Object eventStream() {
        return new StreamReply("application/x-ndjson", out -> {
            BlockingQueue<Map<String, Object>> q = events.subscribe();
            try {
                out.write("{\"type\":\"hello\"}\n".getBytes(StandardCharsets.UTF_8));
                while (true) {
                    Map<String, Object> e = q.poll(15, TimeUnit.SECONDS);
                    // A periodic empty line finds clients that went away.
                    byte[] line = e == null ? "\n".getBytes(StandardCharsets.UTF_8)
                            : (Json.MAPPER.writeValueAsString(e) + "\n").getBytes(StandardCharsets.UTF_8);
                    out.write(line);
                }
            } finally {
                events.unsubscribe(q);
            }
        });
    }
}
