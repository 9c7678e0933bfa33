package io.godwit.migrator.move;

import io.godwit.transfer.TunnelTarget;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The page servers of this daemon's lazy moves that a target may reach through a tunnel: one per
 * move, for the one peer it is moving to, on a loopback port. Nobody else gets a tunnel to it.
 */
public final class PageServers {
    private record Entry(String peer, int port) {
    }

    private final Map<String, Entry> byTunnel = new ConcurrentHashMap<>();

    void offer(String tunnelId, String peer, int port) {
        byTunnel.put(tunnelId, new Entry(peer, port));
    }

    void withdraw(String tunnelId) {
        byTunnel.remove(tunnelId);
    }

    /** Where a tunnel stream from peer for tunnelId goes, or null if it is not that peer's. */
    TunnelTarget target(String tunnelId, String peer) {
        Entry e = byTunnel.get(tunnelId);
        return e == null || !e.peer().equals(peer) ? null : new TunnelTarget("127.0.0.1", e.port());
    }
}
