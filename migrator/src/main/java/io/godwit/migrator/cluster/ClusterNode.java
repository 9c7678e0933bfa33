package io.godwit.migrator.cluster;

import io.etcd.jetcd.Watch;
import io.godwit.migrator.peer.PeerLink;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.ContainerState;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This daemon as a member of the fleet, kept alive by one background loop: it holds a lease and
 * renews it, publishes the member (name, address, fingerprint, capacity, labels) and its containers
 * under it, publishes how to trust it, and trusts the others as they are published. etcd out of
 * reach never stops the daemon: the loop logs once, keeps trying, and re-registers when etcd is
 * back (with a new lease if the old one expired meanwhile).
 */
public final class ClusterNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClusterNode.class.getName());

    private final ClusterSettings settings;
    private final Etcd etcd;
    private final ClusterKeys keys;
    private final String name;
    private final PeerLink peers;
    private final ContainerRuntime runtime;
    private final HostCapacity host;
    private final String version;
    private final Duration tick;
    private final Map<String, String> published = new HashMap<>(); // key -> value written under the lease
    private volatile long lease;
    private volatile boolean reachable;
    private volatile String problem = "not connected yet";
    private long memberWrittenAt;
    private volatile long trustSyncedAt;
    private Thread loop;
    /** Released when the trust list changed in etcd: the loop then syncs at once instead of at its next tick. */
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean trustChanged;
    private volatile Watch.Watcher trustWatch;

    ClusterNode(ClusterSettings settings, Etcd etcd, String name, PeerLink peers, ContainerRuntime runtime,
            HostCapacity host, String version) {
        this.settings = settings;
        this.etcd = etcd;
        this.keys = new ClusterKeys(settings.prefix());
        this.name = name;
        this.peers = peers;
        this.runtime = runtime;
        this.host = host;
        this.version = version;
        this.tick = Duration.ofMillis(Math.min(2000, settings.lease().toMillis() / 3));
    }

    public String name() {
        return name;
    }

    /** The member's lease now, 0 while it has none. */
    long lease() {
        return lease;
    }

    /** What failover adds to the member's round: fencing, and the directory's policy and replica. */
    interface FailoverHooks {
        /** A renewal (or a new lease) sent at sentAtNanos was acknowledged. */
        void renewed(long sentAtNanos);

        /** The member key is written under the live lease: fenced containers can be settled. */
        void registered() throws Exception;

        Map<String, String> policies() throws Exception;

        ReplicaRecord replica(String container);

        /** The container is no longer a failover container here: its replica entry went. */
        void replicaDropped(String container);

        /** The container is not here any more: its policy goes. */
        void containerGone(String container) throws Exception;
    }

    private volatile FailoverHooks failover;

    void failover(FailoverHooks hooks) {
        this.failover = hooks;
    }

    public ClusterKeys keys() {
        return keys;
    }

    public Etcd etcd() {
        return etcd;
    }

    public ClusterSettings settings() {
        return settings;
    }

    /** Whether the last round with etcd worked; when not, why. */
    public boolean reachable() {
        return reachable;
    }

    public String problem() {
        return problem;
    }

    void start() {
        loop = Thread.ofVirtual().name("cluster-member").start(this::run);
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                round();
                if (!reachable) {
                    LOG.info("cluster: etcd at " + etcd.endpoints() + " reached; member " + name + " registered");
                }
                reachable = true;
                problem = null;
            } catch (ClusterUnavailableException e) {
                if (reachable || problem == null || problem.equals("not connected yet")) {
                    LOG.warning("cluster: " + e.getMessage() + "; local work goes on, retrying");
                }
                reachable = false;
                problem = e.getMessage();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "cluster: member round failed", e);
                reachable = false;
                problem = String.valueOf(e.getMessage());
            }
            try {
                wake.tryAcquire(tick.toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Watches the trust list, so that a member that joins is trusted by the others within moments, not
     * at their next full sync: a move to it right after it joined would otherwise be refused. The full
     * sync every 60 s stays, for what a watch can miss while etcd is out of reach.
     */
    private void watchTrust() {
        if (trustWatch != null) {
            return;
        }
        trustWatch = etcd.watchPrefix(keys.trusts(), () -> {
            trustChanged = true;
            wake.release();
        }, () -> {
            trustWatch = null; // lost (etcd gone, compacted): the next round starts a new one and syncs in full
            trustSyncedAt = 0;
        });
    }

    /** One round: the lease, the member, the directory, and (less often) the trust. */
    synchronized void round() throws Exception {
        FailoverHooks hooks = failover;
        long sent = System.nanoTime();
        if (lease != 0 && !etcd.keepAliveOnce(lease)) {
            LOG.warning("cluster: the lease of " + name + " expired (etcd was out of reach too long); registering again");
            lease = 0;
        } else if (lease != 0 && hooks != null) {
            hooks.renewed(sent);
        }
        if (lease == 0) {
            sent = System.nanoTime();
            long fresh = etcd.grantLease(settings.lease());
            if (hooks != null) {
                hooks.renewed(sent);
            }
            published.clear();
            lease = fresh;
            etcd.put(keys.trust(name), Values.write(self()));
            memberWrittenAt = 0;
        }
        Map<String, String> policies = hooks == null ? Map.of() : hooks.policies();
        int count = publishContainers(policies);
        long now = System.nanoTime();
        boolean probed = host.probed();
        if (memberWrittenAt == 0 || now - memberWrittenAt > Duration.ofSeconds(60).toNanos()
                || count != lastCount || probed != lastProbed) {
            putLeased(keys.member(name), Values.write(member(count)));
            memberWrittenAt = now;
            lastCount = count;
            lastProbed = probed; // the probe ended: the fleet learns at once what CRIU can do here
        }
        watchTrust();
        if (trustChanged || trustSyncedAt == 0 || now - trustSyncedAt > Duration.ofSeconds(60).toNanos()) {
            trustChanged = false;
            syncTrust();
            trustSyncedAt = now;
        }
        if (hooks != null) {
            pruneReplicas(policies, hooks);
            hooks.registered();
        }
    }

    private boolean replicasSeen = true;

    /**
     * A replica entry stays only while its container is here, running (or fenced), with the restore
     * policy: a container deleted, stopped or moved away must not be restored when this member dies.
     */
    private void pruneReplicas(Map<String, String> policies, FailoverHooks hooks) throws Exception {
        if (policies.isEmpty() && !replicasSeen) {
            return;
        }
        Map<String, ContainerState.Status> local = new HashMap<>();
        for (ContainerState s : runtime.list()) {
            local.put(s.name(), s.status());
        }
        for (String c : policies.keySet()) {
            if (!local.containsKey(c)) {
                hooks.containerGone(c); // deleted or moved away: a new container of that name starts without it
            }
        }
        Map<String, String> mine = etcd.getPrefix(keys.replicasOf(name));
        replicasSeen = !mine.isEmpty();
        for (String key : mine.keySet()) {
            String c = ClusterKeys.last(key);
            ContainerState.Status st = local.get(c);
            boolean keep = FailoverPolicy.RESTORE.equals(policies.get(c))
                    && (st == ContainerState.Status.RUNNING || st == ContainerState.Status.PAUSED);
            if (!keep) {
                etcd.delete(key);
                hooks.replicaDropped(c);
                LOG.info("cluster: " + c + " is no longer a running failover container here: its replica entry is removed");
            }
        }
    }

    private int lastCount = -1;
    private boolean lastProbed;

    /** Publishes the member now (after an evacuation changed what it runs, say) rather than at the next round. */
    public void refresh() {
        try {
            memberWrittenAt = 0;
            round();
        } catch (Exception e) {
            LOG.log(Level.FINE, "cluster: refresh failed; the loop retries", e);
        }
    }

    Peer self() {
        var a = peers.listenAddress();
        return new Peer(name, a == null ? null : a.getHostString() + ":" + a.getPort(), peers.identity().fingerprint());
    }

    Member member(int containers) throws Exception {
        Peer p = self();
        return new Member(name, p.address(), p.fingerprint(), host.now(), settings.labels(), null, containers, version);
    }

    private void putLeased(String key, String value) {
        if (!value.equals(published.get(key))) {
            etcd.put(key, value, lease);
            published.put(key, value);
        }
    }

    /** Writes what changed in this daemon's containers since the last round; returns how many it runs. */
    private int publishContainers(Map<String, String> policies) throws Exception {
        Set<String> seen = new HashSet<>();
        for (ContainerState s : runtime.list()) {
            ContainerEntry e = entry(s, policies);
            seen.add(keys.container(name, s.name()));
            putLeased(keys.container(name, s.name()), Values.write(e));
        }
        for (String key : List.copyOf(published.keySet())) {
            if (key.startsWith(keys.containersOf(name)) && !seen.contains(key)) {
                etcd.delete(key);
                published.remove(key);
            }
        }
        return seen.size();
    }

    private ContainerEntry entry(ContainerState s, Map<String, String> policies) {
        long used = 0;
        long limit = 0;
        try {
            if (s.isActive()) {
                var st = runtime.stats(s.name());
                used = st.memoryBytes();
                limit = Math.max(0, st.memoryLimitBytes());
            }
        } catch (Exception e) {
            LOG.log(Level.FINE, "no stats for " + s.name(), e);
        }
        if (limit == Long.MAX_VALUE) {
            limit = 0;
        }
        String policy = policies.getOrDefault(s.name(), FailoverPolicy.NONE);
        FailoverHooks hooks = failover;
        ReplicaRecord replica = hooks == null || !FailoverPolicy.RESTORE.equals(policy) ? null : hooks.replica(s.name());
        return new ContainerEntry(name, s.name(), s.status().name(), s.imageFingerprint(), ContainerEntry.roundUp(used), limit,
                policy, replica);
    }

    /** Trusts every member published under P/trust/ and forgets the ones no longer there. */
    private void syncTrust() throws Exception {
        Set<String> present = new HashSet<>();
        for (var kv : etcd.getPrefix(keys.trusts()).entrySet()) {
            Peer p;
            try {
                p = Values.read(kv.getValue(), Peer.class);
            } catch (Exception e) {
                LOG.warning("cluster: ignoring " + kv.getKey() + ": " + e.getMessage());
                continue;
            }
            String node = ClusterKeys.last(kv.getKey());
            present.add(node);
            if (node.equals(name) || p.address() == null || p.fingerprint() == null) {
                continue;
            }
            if (!peers.trustMember(node, p.address(), p.fingerprint())) {
                LOG.warning("cluster: member " + node + " is not trusted as such: a remote of that name was paired by hand"
                        + " with another certificate");
            }
        }
        for (String m : peers.memberNames()) {
            if (!present.contains(m)) {
                peers.forgetMember(m);
            }
        }
    }

    /** Leaves the fleet cleanly: the lease goes, and with it the member and its directory entries. */
    @Override
    public void close() {
        Watch.Watcher w = trustWatch;
        if (w != null) {
            w.close();
        }
        if (loop != null) {
            loop.interrupt();
            try {
                loop.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (lease != 0) {
            try {
                etcd.revoke(lease);
            } catch (RuntimeException e) {
                LOG.fine("cluster: could not revoke the lease at stop: " + e.getMessage());
            }
        }
    }
}
