package io.godwit.migrator.cluster;

import io.etcd.jetcd.election.LeaderKey;
import io.godwit.migrator.peer.PeerLink;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The members campaign in etcd's election (P/leader) under their own lease; the one that leads
 * fails over the containers of members whose key has been gone for T2: for each, it claims the
 * container in one transaction ({@link FailoverClaim}) and orders the member holding its newest
 * replica to restore it. A member that loses its lease loses the lead with it, and its claims fail
 * (they require its election key), so two leaders never both claim a container.
 */
final class FailoverLeader {
    private static final Logger LOG = Logger.getLogger(FailoverLeader.class.getName());

    private final ClusterNode node;
    private final FleetView fleet;
    private final PeerLink peers;
    private final GoneMembers gone;
    private final FailoverRetry retry = FailoverRetry.DEFAULT;
    private final FailoverTiming timing;
    private CompletableFuture<LeaderKey> campaign;
    private long campaignLease;
    private volatile String leaderKey;
    private Thread loop;

    private final ReplicaService here;

    FailoverLeader(ClusterNode node, FleetView fleet, PeerLink peers, FailoverTiming timing, ReplicaService here) {
        this.here = here;
        this.node = node;
        this.fleet = fleet;
        this.peers = peers;
        this.gone = new GoneMembers(timing);
        this.timing = timing;
    }

    boolean leads() {
        return leaderKey != null;
    }

    void start() {
        loop = Thread.ofVirtual().name("cluster-leader").start(() -> {
            boolean warned = false;
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    step();
                    warned = false;
                } catch (ClusterUnavailableException e) {
                    if (!warned) {
                        LOG.info("failover leader: " + e.getMessage());
                        warned = true;
                    }
                } catch (Exception e) {
                    LOG.log(Level.WARNING, "failover leader: round failed", e);
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    void step() throws Exception {
        long lease = node.lease();
        if (lease == 0) {
            stopLeading("this member has no lease");
            return;
        }
        if (campaign == null || campaignLease != lease) {
            if (campaign != null) {
                campaign.cancel(true);
                stopLeading("its lease changed");
            }
            campaignLease = lease;
            campaign = node.etcd().campaign(node.keys().election(), lease, node.name());
        }
        if (!campaign.isDone()) {
            return;
        }
        LeaderKey k;
        try {
            k = campaign.join();
        } catch (RuntimeException e) {
            campaign = null; // campaign again at the next round
            stopLeading("the campaign failed: " + e.getMessage());
            return;
        }
        if (leaderKey == null) {
            leaderKey = k.getKey().toString(StandardCharsets.UTF_8);
            LOG.info("failover leader: " + node.name() + " leads the fleet (" + leaderKey + ")");
        }
        scan();
    }

    private void stopLeading(String why) {
        if (leaderKey != null) {
            LOG.info("failover leader: " + node.name() + " no longer leads: " + why);
        }
        leaderKey = null;
        gone.clear();
    }

    /** One look at the fleet: fails over what is due. */
    void scan() {
        List<Member> members = fleet.members();
        Set<String> alive = members.stream().map(Member::name).collect(Collectors.toSet());
        Map<String, List<ReplicaRecord>> byNode = fleet.replicas().stream()
                .collect(Collectors.groupingBy(ReplicaRecord::node));
        for (String dead : gone.due(alive, new HashSet<>(byNode.keySet()), System.nanoTime())) {
            for (ReplicaRecord r : byNode.get(dead)) {
                failOver(r, alive);
            }
        }
        retryFailed(alive);
    }

    /**
     * Failed failovers of members still gone are tried again ({@link FailoverRetry}: bounded, with
     * backoff), from the same replica on the same holder, each try claimed in one transaction as the
     * first was (the record unchanged since read, the member still gone, this member still leading).
     */
    private void retryFailed(Set<String> alive) {
        Instant now = Instant.now();
        for (var kv : node.etcd().getPrefix(node.keys().failovers()).entrySet()) {
            FailoverRecord f;
            try {
                f = Values.read(kv.getValue(), FailoverRecord.class);
            } catch (Exception e) {
                continue;
            }
            if (alive.contains(f.node()) || !retry.due(f, now)) {
                continue;
            }
            String what = f.node() + "/" + f.container();
            ReplicaRecord r = f.replica();
            if (!alive.contains(r.holder())) {
                LOG.warning("failover of " + what + ": not tried again yet: " + r.holder() + ", which holds its replica,"
                        + " is not alive");
                continue;
            }
            String key = leaderKey;
            if (key == null) {
                return;
            }
            FailoverRecord next = f.retry(node.name());
            if (!node.etcd().transact(FailoverClaim.retry(node.keys(), f, kv.getValue(), next, key))) {
                LOG.info("failover of " + what + " not tried again: its member came back, another leader tried it, or"
                        + " this one no longer leads");
                continue;
            }
            LOG.warning("failover: trying " + what + " again on " + r.holder() + " (attempt " + next.attempts() + " of "
                    + retry.maxAttempts() + "; the one before failed: " + f.error() + ")");
            restore(next, r);
        }
    }

    private void failOver(ReplicaRecord r, Set<String> alive) {
        String what = r.node() + "/" + r.container();
        if (!alive.contains(r.holder())) {
            LOG.warning("failover of " + what + ": " + r.holder() + ", which holds its replica, is not alive either;"
                    + " waiting for it");
            return;
        }
        String key = leaderKey;
        if (key == null) {
            return;
        }
        FailoverRecord claim = FailoverRecord.claim(r, node.name());
        if (!node.etcd().transact(FailoverClaim.of(node.keys(), r, claim, key))) {
            LOG.info("failover of " + what + " not claimed: its member came back, another leader took it, or this one"
                    + " no longer leads");
            return;
        }
        LOG.warning("failover: " + r.node() + " has been gone for over " + timing.failover().toMillis() + " ms; restoring " + r.container() + " on "
                + r.holder() + " from checkpoint " + r.checkpoint());
        restore(claim, r);
    }

    /** Orders the holder to restore the claimed container; records running, or failed (then tried again, bounded). */
    private void restore(FailoverRecord claim, ReplicaRecord r) {
        String what = r.node() + "/" + r.container();
        long t0 = System.nanoTime();
        try {
            var order = new ReplicaProtocol.Restore(r.node(), r.container(), r.checkpoint(), r.everySeconds(), r.keep());
            var restored = r.holder().equals(node.name())
                    ? here.restoreHere(order, node.name()) // the leader holds the replica itself
                    : Replicator.call(peers.session(r.holder()), r.holder(), ReplicaProtocol.RESTORE, order,
                            ReplicaProtocol.Restored.class, ReplicaService.RESTORE_BOUND.plusSeconds(30));
            fleet.putFailover(claim.with(FailoverRecord.RUNNING, null));
            LOG.warning("failover: " + what + " runs on " + r.holder() + " (pid " + restored.pid() + ", "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms)");
        } catch (Exception e) {
            String why = MemberWork.describe(e);
            FailoverRecord failed = claim.with(FailoverRecord.FAILED, why);
            LOG.severe("failover of " + what + " to " + r.holder() + " failed (attempt " + claim.attempts() + " of "
                    + retry.maxAttempts() + "): " + why + "; it runs nowhere: its replica " + r.checkpoint() + " stays on "
                    + r.holder() + (retry.exhausted(failed) ? "; no try is left (restore it by hand)"
                            : "; tried again in " + retry.backoff(claim.attempts()).toSeconds() + " s if " + r.node()
                                    + " stays gone"));
            try {
                fleet.putFailover(failed);
            } catch (RuntimeException again) {
                LOG.warning("cannot record the failed failover of " + what + ": " + again.getMessage());
            }
        }
    }

    void close() {
        if (loop != null) {
            loop.interrupt();
        }
        if (campaign != null) {
            campaign.cancel(true);
        }
    }
}
