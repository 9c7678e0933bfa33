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

    public void deleteOrigin(String node, String name) {
        etcd.delete(keys.origin(node, name));
    }
}
