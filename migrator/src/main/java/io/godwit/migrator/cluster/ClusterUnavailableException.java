package io.godwit.migrator.cluster;

import io.godwit.migrator.api.ApiException;

/** A cluster command that cannot be done now, and why: no cluster joined, or etcd out of reach. */
public final class ClusterUnavailableException extends ApiException {
    private static final long serialVersionUID = 1L;

    public ClusterUnavailableException(String message) {
        super(503, message);
    }

    public ClusterUnavailableException(String message, Throwable cause) {
        super(503, message, cause);
    }

    static ClusterUnavailableException notJoined() {
        return new ClusterUnavailableException("this daemon is not in a cluster: start godwitd with --cluster "
                + "http://ETCD:2379 (or the settings file's \"cluster\")");
    }
}
