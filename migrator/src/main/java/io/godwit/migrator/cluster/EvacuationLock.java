package io.godwit.migrator.cluster;

import java.time.Duration;
import java.util.logging.Logger;

/**
 * One evacuation or restore of a member at a time: etcd's lock on P/locks/evacuate/NODE, held under
 * a lease of its own that this holder renews. If the holder dies, its lease runs out and the lock
 * goes with it, so a crashed evacuation never blocks the next one for longer than the lease.
 */
final class EvacuationLock implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EvacuationLock.class.getName());
    private final Etcd etcd;
    private final long lease;
    private final String key;
    private final Thread renewer;

    private EvacuationLock(Etcd etcd, long lease, String key, Duration ttl) {
        this.etcd = etcd;
        this.lease = lease;
        this.key = key;
        this.renewer = Thread.ofVirtual().name("evacuation-lock").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(ttl.toMillis() / 3);
                    if (!etcd.keepAliveOnce(lease)) {
                        LOG.warning("the evacuation lock " + key + " was lost (its lease expired)");
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.warning("cannot renew the evacuation lock " + key + ": " + e.getMessage());
                }
            }
        });
    }

    /** Takes the lock of node, or fails at once (409) when another evacuation or restore holds it. */
    static EvacuationLock take(Etcd etcd, ClusterKeys keys, String node, Duration ttl, String what) {
        long lease = etcd.grantLease(ttl);
        try {
            var key = etcd.lock(keys.evacuationLock(node), lease, Duration.ofSeconds(1));
            if (key.isEmpty()) {
                throw io.godwit.migrator.api.ApiException.conflict("cannot " + what + " " + node
                        + ": an evacuation or restore of " + node + " is already running (etcd lock "
                        + keys.evacuationLock(node) + ")");
            }
            return new EvacuationLock(etcd, lease, key.get(), ttl);
        } catch (RuntimeException e) {
            etcd.revoke(lease);
            throw e;
        }
    }

    @Override
    public void close() {
        renewer.interrupt();
        try {
            etcd.unlock(key);
        } catch (RuntimeException e) {
            LOG.warning("cannot release the evacuation lock " + key + " (it goes with its lease): " + e.getMessage());
        }
        try {
            etcd.revoke(lease);
        } catch (RuntimeException e) {
            LOG.fine("revoking the lock's lease: " + e.getMessage());
        }
    }
}
