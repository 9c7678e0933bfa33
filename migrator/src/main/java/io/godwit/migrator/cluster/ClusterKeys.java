package io.godwit.migrator.cluster;

/**
 * Where the fleet's state lives in etcd, under one prefix P:
 * <pre>
 * P/members/NODE               Member (JSON), under the member's lease: present while it is alive
 * P/trust/NODE                 Peer (JSON): its TLS address and certificate fingerprint; no lease, so a
 *                              member that crashed stays trusted until an operator forgets it
 * P/state/NODE                 "evacuating" or "evacuated"; absent: ready
 * P/containers/NODE/NAME       ContainerEntry (JSON), under NODE's lease
 * P/evacuated/NODE/NAME        Origin (JSON): where an evacuated container went and how; no lease
 * P/locks/evacuate/NODE        etcd lock: one evacuation or restore of NODE at a time
 * P/replicas/NODE/NAME         ReplicaRecord (JSON): the newest checkpoint of a failover container of NODE
 *                              that another member holds, and which; no lease (read after NODE died)
 * P/failover/NODE/NAME         FailoverRecord (JSON): the leader restored NODE's NAME elsewhere; written in
 *                              a transaction that requires NODE's member key absent, so one claim only
 * P/leader                     etcd election among the members: only its leader fails containers over
 * </pre>
 */
public record ClusterKeys(String prefix) {
    public String members() {
        return prefix + "/members/";
    }

    public String member(String node) {
        return members() + node;
    }

    public String trusts() {
        return prefix + "/trust/";
    }

    public String trust(String node) {
        return trusts() + node;
    }

    public String states() {
        return prefix + "/state/";
    }

    public String state(String node) {
        return states() + node;
    }

    public String containers() {
        return prefix + "/containers/";
    }

    public String containersOf(String node) {
        return containers() + node + "/";
    }

    public String container(String node, String name) {
        return containersOf(node) + name;
    }

    public String originsOf(String node) {
        return prefix + "/evacuated/" + node + "/";
    }

    public String origin(String node, String name) {
        return originsOf(node) + name;
    }

    public String evacuationLock(String node) {
        return prefix + "/locks/evacuate/" + node;
    }

    public String replicas() {
        return prefix + "/replicas/";
    }

    public String replicasOf(String node) {
        return replicas() + node + "/";
    }

    public String replica(String node, String name) {
        return replicasOf(node) + name;
    }

    /** Every failover record of the fleet. */
    public String failovers() {
        return prefix + "/failover/";
    }

    public String failoversOf(String node) {
        return prefix + "/failover/" + node + "/";
    }

    public String failover(String node, String name) {
        return failoversOf(node) + name;
    }

    public String election() {
        return prefix + "/leader";
    }

    /** The last path element of key (a node or container name). */
    public static String last(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }
}
