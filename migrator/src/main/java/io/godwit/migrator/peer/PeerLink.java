package io.godwit.migrator.peer;

import io.godwit.migrator.api.ApiException;
import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.catalog.RemoteRecord;
import io.godwit.transfer.HttpInitializer;
import io.godwit.transfer.NodeIdentity;
import io.godwit.transfer.PairResult;
import io.godwit.transfer.PeerClient;
import io.godwit.transfer.PeerServer;
import io.godwit.transfer.PeerService;
import io.godwit.transfer.PeerSession;
import io.godwit.transfer.CallReply;
import io.godwit.transfer.TrustStore;
import io.godwit.transfer.TrustedPeer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This daemon's place among its peers: its identity, whom it trusts, its TLS port (when it
 * listens), and sessions to the remotes it has paired with.
 */
public final class PeerLink implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PeerLink.class.getName());
    static final Duration TOKEN_TTL = Duration.ofMinutes(10);

    private final NodeIdentity identity;
    private final TrustStore trust;
    private final Catalog catalog;
    private final Map<String, PeerSession> sessions = new ConcurrentHashMap<>();
    private volatile PeerServer server;

    private PeerLink(NodeIdentity identity, TrustStore trust, Catalog catalog) {
        this.identity = identity;
        this.trust = trust;
        this.catalog = catalog;
    }

    /** Loads (or makes, on first start) the daemon's key and certificate and its trust store under dir. */
    public static PeerLink open(Path dir, String nodeName, Catalog catalog) throws IOException {
        NodeIdentity id = NodeIdentity.loadOrCreate(dir.resolve("identity"), nodeName);
        return new PeerLink(id, TrustStore.open(dir.resolve("trust"), id), catalog);
    }

    /** Starts serving peers (and the remote API, through http) on bind. */
    public void listen(InetSocketAddress bind, PeerService service, HttpInitializer http) throws IOException {
        server = PeerServer.start(bind, identity, trust, service, http);
    }

    public NodeIdentity identity() {
        return identity;
    }

    /** The address the TLS port is bound to, or null when the daemon does not listen. */
    public InetSocketAddress listenAddress() {
        PeerServer s = server;
        return s == null ? null : s.address();
    }

    /**
     * A one-time token to be trusted here: role "peer" for another daemon ('godwit remote add' there:
     * moves only), "client" for a user's CLI ('godwit remote login' there: the API only).
     */
    public String issueToken(String role) throws IOException {
        if (server == null) {
            throw ApiException.conflict("this daemon does not listen for peers: start godwitd with --listen ADDR:PORT");
        }
        String r = role == null || role.isBlank() ? TrustedPeer.PEER : role;
        if (!r.equals(TrustedPeer.PEER) && !r.equals(TrustedPeer.CLIENT)) {
            throw ApiException.badRequest("a token's role is 'peer' (a daemon, for moves) or 'client' (a user's CLI, for"
                    + " the API), not '" + role + "'");
        }
        return trust.issueToken(TOKEN_TTL, r).token();
    }

    /**
     * Pairs with the daemon that issued token, both ways: it pins our certificate, and we pin its
     * certificate (carried in the token) and remember it as remote name.
     */
    public RemoteRecord addRemote(String name, String address, String token) throws Exception {
        if (catalog.remotes().stream().anyMatch(r -> r.name().equals(name))) {
            throw ApiException.conflict("remote " + name + " exists: remove it first");
        }
        InetSocketAddress addr = parseAddress(address);
        String theirs;
        try {
            theirs = io.godwit.transfer.TrustToken.parse(token).fingerprint();
        } catch (RuntimeException e) {
            throw ApiException.badRequest("not a trust token: " + e.getMessage());
        }
        var same = catalog.remotes().stream()
                .filter(r -> io.godwit.transfer.Fingerprints.normalize(r.fingerprint()).equals(
                        io.godwit.transfer.Fingerprints.normalize(theirs))).findFirst();
        if (same.isPresent()) {
            throw ApiException.conflict("that daemon (" + theirs + ") is already the remote " + same.get().name()
                    + ": one name per peer");
        }
        PairResult paired;
        try {
            paired = PeerClient.pair(addr, identity, token);
        } catch (IOException e) {
            throw new ApiException(502, "cannot pair with " + address + ": " + e.getMessage());
        }
        if (!TrustedPeer.PEER.equals(paired.role())) {
            throw ApiException.conflict("that token made this daemon a " + paired.role() + " of " + address
                    + ", not a peer: ask for a token without --client there (and revoke " + identity.fingerprint()
                    + " there with 'godwit trust revoke')");
        }
        trust.add(new TrustedPeer(name, paired.serverFingerprint(), Instant.now(), TrustedPeer.PEER));
        RemoteRecord r = new RemoteRecord(name, address, paired.serverFingerprint());
        catalog.putRemote(r);
        LOG.info("paired with " + name + " at " + address + " (" + paired.serverFingerprint() + ")");
        return r;
    }

    public List<RemoteRecord> remotes() throws Exception {
        return catalog.remotes();
    }

    public RemoteRecord remote(String name) throws Exception {
        return catalog.remotes().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> ApiException.notFound("remote", name));
    }

    /** What removing a remote did: whether the other side took back its trust in us too, and if not why. */
    public record Unpaired(String remote, boolean otherSideToo, String detail) {
    }

    /**
     * Forgets a remote and stops trusting its certificate, after asking the remote to stop trusting
     * ours (a pairing is made on both sides, so it is taken back on both). A remote that does not
     * answer is still forgotten here; the result says that it may still trust this daemon.
     */
    public Unpaired removeRemote(String name) throws Exception {
        RemoteRecord r = remote(name);
        boolean both = false;
        String detail;
        try {
            CallReply reply = session(name).call(PairingCalls.UNPAIR, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    java.time.Duration.ofSeconds(10));
            both = reply.status() == 200;
            detail = both ? name + " no longer trusts this daemon either"
                    : name + " refused to unpair (" + reply.status() + " " + reply.error() + "): it may still trust this"
                            + " daemon; revoke it there with `godwit trust revoke`";
        } catch (Exception e) {
            detail = name + " did not answer (" + e.getMessage() + "): it may still trust this daemon; revoke it there"
                    + " with `godwit trust revoke " + identity.fingerprint() + "`";
        }
        forgetRemote(name, r);
        LOG.info("removed remote " + name + ": " + detail);
        return new Unpaired(name, both, detail);
    }

    private void forgetRemote(String name, RemoteRecord r) throws Exception {
        PeerSession s = sessions.remove(name);
        if (s != null) {
            s.close();
        }
        catalog.deleteRemote(name);
        if (catalog.remotes().stream().noneMatch(o -> o.fingerprint().equals(r.fingerprint()))) {
            trust.revoke(r.fingerprint());
        }
    }

    /**
     * Every certificate trusted here: paired daemons and the clients that redeemed a token, with
     * the remote name each daemon goes by here (null for clients and for peers that paired with us).
     */
    public List<java.util.Map<String, Object>> trusted() throws Exception {
        List<RemoteRecord> remotes = catalog.remotes();
        List<java.util.Map<String, Object>> out = new java.util.ArrayList<>();
        for (TrustedPeer t : trust.list()) {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("name", t.name());
            m.put("role", t.role());
            m.put("fingerprint", t.fingerprint());
            m.put("addedAt", t.addedAt().toString());
            m.put("remote", remotes.stream().filter(r -> io.godwit.transfer.Fingerprints.normalize(r.fingerprint())
                    .equals(t.fingerprint())).map(RemoteRecord::name).findFirst().orElse(null));
            out.add(m);
        }
        return out;
    }

    /** The name a trusted certificate was added under (for the access log), or null. */
    public String trustedName(String fingerprint) {
        try {
            return trust.get(fingerprint).map(TrustedPeer::name).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Stops trusting a certificate (and forgets remotes that use it): its next call is refused. */
    public void revokeTrust(String fingerprint) throws Exception {
        String fp;
        try {
            fp = io.godwit.transfer.Fingerprints.normalize(fingerprint);
        } catch (RuntimeException e) {
            throw ApiException.badRequest("not a certificate fingerprint: " + fingerprint);
        }
        if (trust.get(fp).isEmpty()) {
            throw ApiException.notFound("trusted certificate", fingerprint);
        }
        for (RemoteRecord r : catalog.remotes()) {
            if (io.godwit.transfer.Fingerprints.normalize(r.fingerprint()).equals(fp)) {
                forgetRemote(r.name(), r); // revoked: it is not asked anything any more
            }
        }
        if (!trust.revoke(fp) && trust.get(fp).isPresent()) {
            throw new IllegalStateException("certificate " + fp + " is still trusted after its revocation");
        }
        LOG.info("revoked the trust of " + fp);
    }

    /** A session with the remote, reused while it stays open. */
    public PeerSession session(String name) throws Exception {
        RemoteRecord r = remote(name);
        PeerSession s = sessions.get(name);
        if (s != null && s.isOpen() && s.peerFingerprint().equals(r.fingerprint())) {
            return s;
        }
        if (s != null) {
            s.close();
        }
        PeerSession fresh = PeerClient.connect(parseAddress(r.address()), identity, r.fingerprint());
        sessions.put(name, fresh);
        return fresh;
    }

    /**
     * A new session with a daemon that is not (or not by that name) a remote of ours but whose
     * certificate we trust, pinned to fingerprint: the source of a move that reaches back to it.
     * The caller closes it.
     */
    public PeerSession dial(InetSocketAddress address, String fingerprint) throws IOException {
        if (!trust.isTrusted(fingerprint)) {
            throw new IOException("certificate " + fingerprint + " is not trusted here");
        }
        return PeerClient.connect(address, identity, fingerprint);
    }

    /** Drops a session that failed, so that the next use dials again. */
    public void forget(String name, PeerSession broken) {
        if (sessions.remove(name, broken)) {
            broken.close();
        }
    }

    /** The trust-store name of a member trusted because its fleet published it (see cluster.ClusterTrust). */
    public static final String MEMBER_PREFIX = "cluster:";

    /**
     * Trusts a fleet member as the cluster published it, and knows it as a remote by its member
     * name (so moves name it like any remote). A remote of that name paired by hand, with another
     * certificate, wins: returns false and changes nothing.
     */
    public synchronized boolean trustMember(String name, String address, String fingerprint) throws Exception {
        var existing = catalog.remotes().stream().filter(r -> r.name().equals(name)).findFirst();
        if (existing.isPresent() && !existing.get().fingerprint().equals(fingerprint)
                && !isMember(existing.get().fingerprint())) {
            return false;
        }
        if (existing.isPresent() && existing.get().equals(new RemoteRecord(name, address, fingerprint))
                && isMember(fingerprint)) {
            return true;
        }
        var trusted = trust.get(fingerprint);
        if (trusted.isEmpty() || (trusted.get().name().startsWith(MEMBER_PREFIX)
                && !trusted.get().role().equals(TrustedPeer.MEMBER))) { // the latter: trusted before roles split
            trust.add(new TrustedPeer(MEMBER_PREFIX + name, fingerprint, Instant.now(), TrustedPeer.MEMBER));
        }
        catalog.putRemote(new RemoteRecord(name, address, fingerprint));
        if (existing.isPresent() && !existing.get().fingerprint().equals(fingerprint)) {
            PeerSession s = sessions.remove(name);
            if (s != null) {
                s.close();
            }
            trust.revoke(existing.get().fingerprint());
        }
        LOG.info("trusting fleet member " + name + " at " + address + " (" + fingerprint + ")");
        return true;
    }

    /** Stops trusting a member the fleet no longer publishes (a remote paired by hand stays). */
    public synchronized void forgetMember(String name) throws Exception {
        var r = catalog.remotes().stream().filter(x -> x.name().equals(name)).findFirst();
        if (r.isPresent() && isMember(r.get().fingerprint())) {
            removeRemote(name);
            LOG.info("no longer trusting " + name + ": the fleet does not publish it any more");
        }
    }

    /** The names of the remotes trusted as fleet members. */
    public List<String> memberNames() throws Exception {
        return catalog.remotes().stream().filter(r -> isMember(r.fingerprint())).map(RemoteRecord::name).toList();
    }

    private boolean isMember(String fingerprint) {
        return trust.get(fingerprint).map(t -> t.name().startsWith(MEMBER_PREFIX)).orElse(false);
    }

    public static InetSocketAddress parseAddress(String address) {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw ApiException.badRequest("address must be HOST:PORT, got '" + address + "'");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("bad port in address '" + address + "'");
        }
        if (port < 1 || port > 65535) {
            throw ApiException.badRequest("port out of range in address '" + address + "'");
        }
        return new InetSocketAddress(host, port);
    }

    @Override
    public void close() {
        sessions.values().forEach(s -> {
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "closing a peer session", e);
            }
        });
        sessions.clear();
        if (server != null) {
            server.close();
        }
    }
}
