package io.godwit.migrator.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fleet's etcd, as this daemon uses it: string keys and values, every call bounded (a call that
 * etcd does not answer in time fails with {@link ClusterUnavailableException}, which names the
 * endpoints and the step), and a count of the writes made, for the bench.
 */
public final class Etcd implements AutoCloseable {
    /** How long one call may wait for etcd: cluster commands must fail fast when it is gone. */
    static final Duration CALL = Duration.ofMillis(Long.getLong("godwit.cluster.callMillis", 3000));

    private final Client client;
    private final String endpoints;
    private final AtomicLong writes = new AtomicLong();

    public Etcd(ClusterSettings settings) throws java.io.IOException {
        this.endpoints = settings.endpointList();
        ClientBuilder b = Client.builder().endpoints(settings.endpoints().toArray(String[]::new))
                .connectTimeout(Duration.ofSeconds(2))
                // no pings on an idle connection: etcd answers them with GOAWAY too_many_pings
                .keepaliveWithoutCalls(false)
                // jetcd retries a failed call by itself; bounded here so that our own bound decides
                .retryMaxDuration(CALL).retryMaxAttempts(2).retryDelay(200).retryMaxDelay(1000);
        if (settings.caFile() != null || settings.certFile() != null) {
            b = b.sslContext(ssl -> {
                if (settings.caFile() != null) {
                    ssl.trustManager(settings.caFile().toFile());
                }
                if (settings.certFile() != null) {
                    ssl.keyManager(settings.certFile().toFile(), settings.keyFile().toFile());
                }
            });
        }
        this.client = b.build();
    }

    public String endpoints() {
        return endpoints;
    }

    /** Writes (puts, deletes, lease grants and renewals) made through this connection so far. */
    public long writes() {
        return writes.get();
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private <T> T await(String step, CompletableFuture<T> f) {
        try {
            return f.get(CALL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new ClusterUnavailableException("the fleet's etcd at " + endpoints + " did not answer within "
                    + CALL.toMillis() + " ms (" + step + "): cluster commands need it; this daemon's own containers,"
                    + " checkpoints and moves to known remotes go on without it");
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            throw new ClusterUnavailableException("etcd at " + endpoints + " failed " + step + ": " + c.getMessage(), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterUnavailableException("interrupted while " + step);
        }
    }

    public Optional<String> get(String key) {
        var r = await("reading " + key, client.getKVClient().get(bytes(key)));
        return r.getKvs().isEmpty() ? Optional.empty() : Optional.of(r.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
    }

    /** Every key under prefix with its value, in key order. */
    public Map<String, String> getPrefix(String prefix) {
        var r = await("reading " + prefix, client.getKVClient().get(bytes(prefix),
                GetOption.builder().isPrefix(true).build()));
        Map<String, String> out = new LinkedHashMap<>();
        for (KeyValue kv : r.getKvs()) {
            out.put(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().toString(StandardCharsets.UTF_8));
        }
        return out;
    }

    public long countPrefix(String prefix) {
        return await("counting " + prefix, client.getKVClient().get(bytes(prefix),
                GetOption.builder().isPrefix(true).withCountOnly(true).build())).getCount();
    }

    public void put(String key, String value) {
        put(key, value, 0);
    }

    /** Puts key; with a lease (not 0) the key goes when the lease does. */
    public void put(String key, String value, long lease) {
        PutOption o = lease == 0 ? PutOption.DEFAULT : PutOption.builder().withLeaseId(lease).build();
        await("writing " + key, client.getKVClient().put(bytes(key), bytes(value), o));
        writes.incrementAndGet();
    }

    public boolean delete(String key) {
        writes.incrementAndGet();
        return await("deleting " + key, client.getKVClient().delete(bytes(key))).getDeleted() > 0;
    }

    public long deletePrefix(String prefix) {
        writes.incrementAndGet();
        return await("deleting " + prefix, client.getKVClient().delete(bytes(prefix),
                DeleteOption.builder().isPrefix(true).build())).getDeleted();
    }

    public long grantLease(Duration ttl) {
        writes.incrementAndGet();
        return await("granting a lease", client.getLeaseClient().grant(ttl.toSeconds())).getID();
    }

    /** Renews lease once; false when etcd no longer has it (it expired: its keys are gone). */
    public boolean keepAliveOnce(long lease) {
        writes.incrementAndGet();
        try {
            return await("renewing lease " + Long.toHexString(lease), client.getLeaseClient().keepAliveOnce(lease))
                    .getTTL() > 0;
        } catch (ClusterUnavailableException e) {
            if (String.valueOf(e.getMessage()).contains("lease not found")) {
                return false;
            }
            throw e;
        }
    }

    public void revoke(long lease) {
        writes.incrementAndGet();
        try {
            await("revoking a lease", client.getLeaseClient().revoke(lease));
        } catch (ClusterUnavailableException e) {
            if (!String.valueOf(e.getMessage()).contains("lease not found")) {
                throw e;
            }
        }
    }

    /**
     * Takes etcd's lock name for lease (the lock goes with the lease, so with its holder); waits at
     * most wait. Returns the key that proves ownership, or empty when someone else holds it.
     */
    public Optional<String> lock(String name, long lease, Duration wait) {
        writes.incrementAndGet();
        CompletableFuture<io.etcd.jetcd.lock.LockResponse> f = client.getLockClient().lock(bytes(name), lease);
        try {
            return Optional.of(f.get(wait.toMillis(), TimeUnit.MILLISECONDS).getKey().toString(StandardCharsets.UTF_8));
        } catch (TimeoutException e) {
            f.cancel(true);
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new ClusterUnavailableException("etcd at " + endpoints + " failed taking the lock " + name + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterUnavailableException("interrupted while taking the lock " + name);
        }
    }

    public void unlock(String key) {
        writes.incrementAndGet();
        await("releasing the lock " + key, client.getLockClient().unlock(bytes(key)));
    }

    /**
     * Calls onChange (on one of jetcd's threads: keep it short) whenever a key under prefix is put or
     * deleted, and onLost when the watch ends with an error, so that the caller can start a new one.
     * Close the returned watcher to stop.
     */
    public Watch.Watcher watchPrefix(String prefix, Runnable onChange, Runnable onLost) {
        return client.getWatchClient().watch(bytes(prefix), WatchOption.builder().isPrefix(true).build(),
                Watch.listener(response -> onChange.run(), error -> onLost.run(), onLost));
    }

    /**
     * Runs claim as one transaction: true when every condition held and its writes were made, false
     * when one did not hold (nothing written).
     */
    public boolean transact(FailoverClaim claim) {
        java.util.List<io.etcd.jetcd.op.Cmp> cmps = new java.util.ArrayList<>();
        for (String k : claim.absent()) {
            cmps.add(new io.etcd.jetcd.op.Cmp(bytes(k), io.etcd.jetcd.op.Cmp.Op.EQUAL, io.etcd.jetcd.op.CmpTarget.version(0)));
        }
        for (String k : claim.present()) {
            cmps.add(new io.etcd.jetcd.op.Cmp(bytes(k), io.etcd.jetcd.op.Cmp.Op.GREATER, io.etcd.jetcd.op.CmpTarget.version(0)));
        }
        claim.equal().forEach((k, v) -> cmps.add(new io.etcd.jetcd.op.Cmp(bytes(k), io.etcd.jetcd.op.Cmp.Op.EQUAL,
                io.etcd.jetcd.op.CmpTarget.value(bytes(v)))));
        java.util.List<io.etcd.jetcd.op.Op> ops = new java.util.ArrayList<>();
        claim.puts().forEach((k, v) -> ops.add(io.etcd.jetcd.op.Op.put(bytes(k), bytes(v), PutOption.DEFAULT)));
        for (String k : claim.deletes()) {
            ops.add(io.etcd.jetcd.op.Op.delete(bytes(k), DeleteOption.DEFAULT));
        }
        writes.incrementAndGet();
        return await("claiming " + String.join(", ", claim.puts().keySet()), client.getKVClient().txn()
                .If(cmps.toArray(io.etcd.jetcd.op.Cmp[]::new)).Then(ops.toArray(io.etcd.jetcd.op.Op[]::new)).commit())
                .isSucceeded();
    }

    /**
     * Campaigns in etcd's election name under lease (the candidacy goes with the lease). The future
     * completes when this candidate leads, with the key that proves it; it may never complete while
     * another leads, so callers poll it and never wait on it.
     */
    public CompletableFuture<io.etcd.jetcd.election.LeaderKey> campaign(String name, long lease, String proposal) {
        writes.incrementAndGet();
        return client.getElectionClient().campaign(bytes(name), lease, bytes(proposal))
                .thenApply(io.etcd.jetcd.election.CampaignResponse::getLeader);
    }

    /** Who leads election name now (its proposal), or empty when nobody does. */
    public Optional<String> leader(String name) {
        try {
            var r = await("asking who leads " + name, client.getElectionClient().leader(bytes(name)));
            return r.getKv() == null ? Optional.empty() : Optional.of(r.getKv().getValue().toString(StandardCharsets.UTF_8));
        } catch (ClusterUnavailableException e) {
            if (String.valueOf(e.getMessage()).contains("no leader")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
