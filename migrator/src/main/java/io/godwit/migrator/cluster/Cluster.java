package io.godwit.migrator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.api.ApiException;
import io.godwit.migrator.api.ApiRequest;
import io.godwit.migrator.api.Json;
import io.godwit.migrator.api.Reply;
import io.godwit.migrator.api.Router;
import io.godwit.migrator.checkpoint.CheckpointService;
import io.godwit.migrator.cli.DaemonClient;
import io.godwit.migrator.host.HostFacts;
import io.godwit.migrator.move.MoveService;
import io.godwit.migrator.ops.Operation;
import io.godwit.migrator.ops.OperationManager;
import io.godwit.migrator.peer.PeerLink;
import io.godwit.runtime.ContainerName;
import io.godwit.runtime.ContainerRuntime;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fleet as the daemon serves it: membership (started with the daemon), the directory, and
 * evacuations and restores, under /1.0/cluster. Without --cluster every call answers 503 saying so;
 * with etcd out of reach every call fails within a few seconds saying why, and nothing local waits
 * on etcd.
 */
public final class Cluster implements AutoCloseable {
    private final ClusterNode node;
    private final FleetView fleet;
    private final ContainerRuntime runtime;
    private final MemberWork work;
    private final OperationManager operations;
    private final Etcd etcd;
    private final io.godwit.migrator.catalog.Catalog catalog;
    /** Failover (null outside a fleet): replication, fencing, the elected leader, the holder's calls. */
    private Replicator replicator;
    private Fence fence;
    private FailoverLeader leader;
    private java.util.function.UnaryOperator<io.godwit.transfer.PeerService> holder = s -> s;

    private Cluster(ClusterNode node, Etcd etcd, ContainerRuntime runtime, MemberWork work, OperationManager operations,
            io.godwit.migrator.catalog.Catalog catalog) {
        this.node = node;
        this.etcd = etcd;
        this.fleet = node == null ? null : new FleetView(etcd, node.keys());
        this.runtime = runtime;
        this.work = work;
        this.operations = operations;
        this.catalog = catalog;
    }

    /** The daemon outside any fleet: the routes answer 503 (a container's failover policy is still kept). */
    public static Cluster none(io.godwit.migrator.catalog.Catalog catalog, ContainerRuntime runtime) {
        return new Cluster(null, null, runtime, null, null, catalog);
    }

    /** As {@link #none(io.godwit.migrator.catalog.Catalog, ContainerRuntime)}, to list the routes only. */
    public static Cluster none() {
        return none(null, null);
    }

    /** Joins the fleet of settings: connects (without waiting for etcd) and starts the member's loop. */
    public static Cluster join(ClusterSettings settings, String name, Path root, Supplier<Optional<HostFacts>> facts,
            String version,
            ContainerRuntime runtime, PeerLink peers, MoveService moves, CheckpointService checkpoints,
            OperationManager operations, io.godwit.migrator.catalog.Catalog catalog,
            io.godwit.runtime.image.ImageStore images, io.godwit.migrator.checkpoint.CheckpointTransfer transfer)
            throws Exception {
        ContainerName.validate(name);
        Etcd etcd = new Etcd(settings);
        ClusterNode node = new ClusterNode(settings, etcd, name, peers, runtime, new HostCapacity(root, facts), version);
        Cluster c = new Cluster(node, etcd, runtime, new MemberWork(runtime, moves, checkpoints, operations, peers, catalog),
                operations, catalog);
        Path work = java.nio.file.Files.createDirectories(root.resolve("tmp"));
        c.replicator = new Replicator(node, c.fleet, peers, catalog, checkpoints, transfer, images, runtime, work);
        c.fence = new Fence(name, runtime, catalog, settings.timing(), root.resolve("cluster-fenced"));
        ReplicaService holding = new ReplicaService(peers, catalog, checkpoints, transfer, images, runtime, operations,
                root);
        c.holder = holding::inFrontOf;
        c.leader = new FailoverLeader(node, c.fleet, peers, settings.timing(), holding);
        Fence fence = c.fence;
        Replicator replicator = c.replicator;
        node.failover(new ClusterNode.FailoverHooks() {
            @Override
            public void renewed(long sentAtNanos) {
                fence.renewed(sentAtNanos);
            }

            @Override
            public void registered() throws Exception {
                fence.registered(() -> c.fleet.failovers(name));
            }

            @Override
            public Map<String, String> policies() throws Exception {
                return catalog.failoverPolicies();
            }

            @Override
            public ReplicaRecord replica(String container) {
                return replicator.newest(container);
            }

            @Override
            public void replicaDropped(String container) {
                replicator.forget(container);
            }

            @Override
            public void containerGone(String container) throws Exception {
                catalog.deleteFailoverPolicy(container);
            }
        });
        return c;
    }

    /** The daemon's peer calls with the holder's side of failover in front (replicas, failover restores). */
    public io.godwit.transfer.PeerService peerCalls(io.godwit.transfer.PeerService next) {
        return holder.apply(next);
    }

    /** After each scheduled checkpoint: a failover container's checkpoint goes to another member. */
    public void afterScheduledCheckpoint(String container) {
        if (replicator != null) {
            replicator.afterCheckpoint(container);
        }
    }

    /** Starts the member's loop: after the TLS port is open, so that it publishes its address. */
    public void start() {
        if (node != null) {
            node.start();
            fence.start();
            leader.start();
        }
    }

    private ClusterNode node() {
        if (node == null) {
            throw ClusterUnavailableException.notJoined();
        }
        return node;
    }

    public Router routes(Router r) {
        return r.add("GET", "/1.0/cluster", q -> info())
                .add("GET", "/1.0/cluster/members", q -> {
                    node();
                    return fleet.members();
                })
                .add("GET", "/1.0/cluster/members/{node}", q -> memberInfo(nodeName(q)))
                .add("GET", "/1.0/cluster/containers", q -> {
                    node();
                    return fleet.containers(null);
                })
                .add("GET", "/1.0/containers/{name}/failover", q -> failoverInfo(containerName(q)))
                .add("PUT", "/1.0/containers/{name}/failover", this::putFailover)
                .add("POST", "/1.0/cluster/members/{node}/evacuate", this::evacuate)
                .add("POST", "/1.0/cluster/members/{node}/restore", this::restore);
    }

    private static String nodeName(ApiRequest q) {
        String n = q.param("node");
        try {
            ContainerName.validate(n);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("member name: " + e.getMessage());
        }
        return n;
    }

    private static String containerName(ApiRequest q) {
        String n = q.param("name");
        try {
            ContainerName.validate(n);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("container name: " + e.getMessage());
        }
        return n;
    }

    record FailoverRequest(String onNodeFailure) {
    }

    /** Sets what the fleet does with a container when its member dies (kept in the catalog, fleet or not). */
    private Object putFailover(ApiRequest q) throws Exception {
        String name = containerName(q);
        runtime.state(name); // 404 when there is no such container
        FailoverRequest req = q.bind(Json.MAPPER, FailoverRequest.class);
        String policy;
        try {
            policy = FailoverPolicy.parse(req.onNodeFailure());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        if (FailoverPolicy.NONE.equals(policy)) {
            catalog.deleteFailoverPolicy(name);
        } else {
            catalog.putFailoverPolicy(name, policy);
        }
        return failoverInfo(name);
    }

    private Map<String, Object> failoverInfo(String name) throws Exception {
        runtime.state(name);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("container", name);
        m.put("onNodeFailure", catalog.failoverPolicies().getOrDefault(name, FailoverPolicy.NONE));
        if (node != null) {
            m.put("replica", replicator.newest(name));
            m.put("replicationError", replicator.lastError());
            m.put("fenced", fence.fenced().contains(name));
        }
        return m;
    }

    private Map<String, Object> info() {
        ClusterNode n = node();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", n.name());
        m.put("endpoints", n.settings().endpoints());
        m.put("prefix", n.settings().prefix());
        m.put("reachable", n.reachable());
        m.put("problem", n.problem());
        m.put("members", fleet.members().size());
        m.put("leader", etcd.leader(n.keys().election()).orElse(null));
        m.put("leads", leader.leads());
        m.put("fenced", fence.fenced());
        m.put("failover", Map.of("leaseSeconds", n.settings().lease().toSeconds(),
                "fenceMillis", n.settings().fence().toMillis(), "failoverMillis", n.settings().failover().toMillis()));
        return m;
    }

    private Map<String, Object> memberInfo(String name) {
        node();
        Member m = fleet.member(name).orElse(null);
        var failedOver = fleet.failovers(name).values();
        if (m == null && failedOver.isEmpty()) { // a dead member whose containers were failed over still tells where
            throw new ApiException(404, "member '" + name
                    + "' not found (not registered, or its lease expired: see `godwit cluster list`)");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("member", m);
        out.put("containers", fleet.containers(name));
        out.put("evacuated", fleet.origins(name));
        out.put("failedOver", failedOver);
        return out;
    }

    record EvacuateRequest(String mode, Integer parallel, Boolean dryRun) {
    }

    record RestoreRequest(Integer parallel) {
    }

    /** Incus's rule: max(CPUs / 16, 1) moves at once. */
    static int defaultParallel() {
        return Math.max(Runtime.getRuntime().availableProcessors() / 16, 1);
    }

    private static int parallel(Integer p) {
        int n = p == null ? defaultParallel() : p;
        if (n < 1 || n > 16) {
            throw ApiException.badRequest("'parallel' must be between 1 and 16");
        }
        return n;
    }

    private Object evacuate(ApiRequest q) throws Exception {
        ClusterNode n = node();
        String target = nodeName(q);
        EvacuateRequest req = q.bind(Json.MAPPER, EvacuateRequest.class);
        EvacuationMode mode = EvacuationMode.parse(req.mode());
        int parallel = parallel(req.parallel());
        boolean dry = Boolean.TRUE.equals(req.dryRun());
        if (!target.equals(n.name())) {
            return forward(target, "evacuate", Values.MAPPER.convertValue(req, Map.class), dry);
        }
        Evacuation e = new Evacuation(n, fleet, runtime, work);
        if (dry) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("node", n.name());
            out.put("mode", mode.label());
            out.put("dryRun", true);
            out.put("plan", e.plan());
            return out;
        }
        fleet.members(); // etcd must answer before anything starts
        Operation op = operations.start("cluster-evacuate", n.name(), o -> e.run(mode, parallel, o));
        return Reply.accepted(op);
    }

    private Object restore(ApiRequest q) throws Exception {
        ClusterNode n = node();
        String target = nodeName(q);
        RestoreRequest req = q.bind(Json.MAPPER, RestoreRequest.class);
        int parallel = parallel(req.parallel());
        if (!target.equals(n.name())) {
            return forward(target, "restore", Values.MAPPER.convertValue(req, Map.class), false);
        }
        fleet.members();
        Restoration r = new Restoration(n, fleet, work);
        return Reply.accepted(operations.start("cluster-restore", n.name(), o -> r.run(parallel, o)));
    }

    /**
     * The work of another member is done by that member: the request goes to its API, and an
     * operation here follows the one it started there (a dry run's plan comes back at once).
     */
    private Object forward(String target, String what, Map<?, ?> body, boolean dry) throws Exception {
        Peer peer = fleet.peer(target).orElseThrow(() -> ApiException.notFound("member", target));
        if (fleet.member(target).isEmpty()) {
            throw new ClusterUnavailableException("member " + target + " is not alive (its lease expired): it cannot "
                    + what + " now");
        }
        DaemonClient c = work.client(peer);
        String path = "/1.0/cluster/members/" + DaemonClient.seg(target) + "/" + what;
        JsonNode reply;
        try {
            reply = c.post(path, body).json();
        } catch (io.godwit.migrator.cli.ApiException e) {
            throw new ApiException(e.status(), target + ": " + e.getMessage());
        }
        if (dry) {
            return reply;
        }
        String id = reply.path("id").asText();
        return Reply.accepted(operations.start("cluster-" + what, target, o -> {
            o.phase("on " + target + " (operation " + id + ")");
            MemberWork.Result r = work.awaitRemote(c, id, target);
            if (!r.ok()) {
                throw new java.io.IOException(r.error());
            }
            return r.result();
        }));
    }

    /** The directory's containers of every member, for `godwit list --all-nodes`. */
    public List<ContainerEntry> directory() {
        node();
        return fleet.containers(null);
    }

    @Override
    public void close() {
        if (node != null) {
            leader.close();
            fence.close();
            node.close();
            etcd.close();
        }
    }
}
