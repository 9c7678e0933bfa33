package io.godwit.migrator.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/** What etcd says of the fleet now: its live members (with their states) and its directory. */
public final class FleetView {
    private static final Logger LOG = Logger.getLogger(FleetView.class.getName());
    private final Etcd etcd;
    private final ClusterKeys keys;

    FleetView(Etcd etcd, ClusterKeys keys) {
        this.etcd = etcd;
        this.keys = keys;
    }

    /** The members whose lease is alive, by name, each with the state the fleet gave it. */
    public List<Member> members() {
        Map<String, String> states = etcd.getPrefix(keys.states());
        List<Member> out = new ArrayList<>();
        for (var kv : etcd.getPrefix(keys.members()).entrySet()) {
            try {
                Member m = Values.read(kv.getValue(), Member.class);
                out.add(m.withState(states.getOrDefault(keys.state(m.name()), Member.READY)));
            } catch (Exception e) {
                LOG.warning("cluster: ignoring " + kv.getKey() + ": " + e.getMessage());
            }
        }
        out.sort(Comparator.comparing(Member::name));
        return out;
    }

    public Optional<Member> member(String node) {
        return etcd.get(keys.member(node)).map(v -> {
            try {
                Member m = Values.read(v, Member.class);
                return m.withState(etcd.get(keys.state(node)).orElse(Member.READY));
            } catch (Exception e) {
                throw new IllegalStateException("the entry of member " + node + " cannot be read: " + e.getMessage());
            }
        });
    }

    /** How to reach and trust a member (published without a lease: also there while it is down). */
    public Optional<Peer> peer(String node) {
        return etcd.get(keys.trust(node)).map(v -> {
            try {
                return Values.read(v, Peer.class);
            } catch (Exception e) {
                throw new IllegalStateException("the trust entry of member " + node + " cannot be read: " + e.getMessage());
            }
        });
    }

    /** Every container of the directory (of node only, when node is not null), by node then name. */
    public List<ContainerEntry> containers(String node) {
        List<ContainerEntry> out = new ArrayList<>();
        for (var kv : etcd.getPrefix(node == null ? keys.containers() : keys.containersOf(node)).entrySet()) {
            try {
                out.add(Values.read(kv.getValue(), ContainerEntry.class));
            } catch (Exception e) {
                LOG.warning("cluster: ignoring " + kv.getKey() + ": " + e.getMessage());
            }
        }
        out.sort(Comparator.comparing(ContainerEntry::node).thenComparing(ContainerEntry::name));
        return out;
    }

    /** What was evacuated from node and not yet brought back. */
    public List<Origin> origins(String node) {
        List<Origin> out = new ArrayList<>();
        for (var kv : etcd.getPrefix(keys.originsOf(node)).entrySet()) {
            try {
                out.add(Values.read(kv.getValue(), Origin.class));
            } catch (Exception e) {
                LOG.warning("cluster: ignoring " + kv.getKey() + ": " + e.getMessage());
            }
        }
        out.sort(Comparator.comparing(Origin::name));
        return out;
    }

    public String state(String node) {
        return etcd.get(keys.state(node)).orElse(Member.READY);
    }

    public void setState(String node, String state) {
        if (Member.READY.equals(state)) {
            etcd.delete(keys.state(node));
        } else {
            etcd.put(keys.state(node), state);
        }
    }

    public void putOrigin(Origin o) {
        etcd.put(keys.origin(o.from(), o.name()), Values.write(o));
    }

    public Optional<ReplicaRecord> replica(String node, String name) {
        return etcd.get(keys.replica(node, name)).flatMap(v -> readOrSkip(keys.replica(node, name), v, ReplicaRecord.class));
    }

    /** Every replica entry of the fleet (of every member, alive or not). */
    public List<ReplicaRecord> replicas() {
        List<ReplicaRecord> out = new ArrayList<>();
        etcd.getPrefix(keys.replicas()).forEach((k, v) -> readOrSkip(k, v, ReplicaRecord.class).ifPresent(out::add));
        return out;
    }

    /** Records a replica; a failover record of the same container is stale (it runs here again) and goes. */
    public void putReplica(ReplicaRecord r) {
        etcd.put(keys.replica(r.node(), r.container()), Values.write(r));
        etcd.delete(keys.failover(r.node(), r.container()));
    }

    public void deleteReplica(String node, String name) {
        etcd.delete(keys.replica(node, name));
    }

    /** Where node's failover containers went, by container name. */
    public Map<String, FailoverRecord> failovers(String node) {
        Map<String, FailoverRecord> out = new java.util.TreeMap<>();
        etcd.getPrefix(keys.failoversOf(node)).forEach((k, v) ->
                readOrSkip(k, v, FailoverRecord.class).ifPresent(f -> out.put(ClusterKeys.last(k), f)));
        return out;
    }

    public void putFailover(FailoverRecord f) {
        etcd.put(keys.failover(f.node(), f.container()), Values.write(f));
    }

    private static <T> Optional<T> readOrSkip(String key, String value, Class<T> type) {
        try {
            return Optional.of(Values.read(value, type));
        } catch (Exception e) {
            LOG.warning("cluster: ignoring " + key + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    public void deleteOrigin(String node, String name) {
        etcd.delete(keys.origin(node, name));
    }
}
