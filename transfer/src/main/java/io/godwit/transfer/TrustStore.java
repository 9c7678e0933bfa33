package io.godwit.transfer;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Pinned peers and outstanding one-time trust tokens, persisted in {@code trust.properties}
 * (rewritten atomically on every change). Only SHA-256 hashes of token secrets are stored,
 * so a leaked file does not let anyone pair.
 */
public final class TrustStore {
    static final String FILE = "trust.properties";
    private static final SecureRandom RANDOM = new SecureRandom();

    private record PendingToken(Instant issuedAt, Instant expiresAt, String role) {}

    private final Path file;
    private final String ownFingerprint;
    private final Map<String, TrustedPeer> peers = new LinkedHashMap<>();
    private final Map<String, PendingToken> tokens = new LinkedHashMap<>(); // key: hex SHA-256 of secret

    private TrustStore(Path file, String ownFingerprint) {
        this.file = file;
        this.ownFingerprint = ownFingerprint;
    }

    /** Opens (or starts) the trust store in dir for the daemon whose identity is given. */
    public static TrustStore open(Path dir, NodeIdentity self) throws IOException {
        return open(dir, self.fingerprint());
    }

    public static TrustStore open(Path dir, String ownFingerprint) throws IOException {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        TrustStore store = new TrustStore(dir.resolve(FILE), Fingerprints.normalize(ownFingerprint));
        if (Files.exists(store.file)) store.load();
        return store;
    }

    private void load() throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        try {
            for (String k : p.stringPropertyNames()) {
                if (k.startsWith("peer.") && k.endsWith(".name")) {
                    String fp = k.substring(5, k.length() - 5);
                    peers.put(fp, new TrustedPeer(p.getProperty(k), fp,
                            Instant.parse(p.getProperty("peer." + fp + ".addedAt")), p.getProperty("peer." + fp + ".role")));
                } else if (k.startsWith("token.") && k.endsWith(".expiresAt")) {
                    String h = k.substring(6, k.length() - 10);
                    tokens.put(h, new PendingToken(Instant.parse(p.getProperty("token." + h + ".issuedAt")),
                            Instant.parse(p.getProperty(k)), p.getProperty("token." + h + ".role")));
                }
            }
        } catch (RuntimeException e) {
            throw new TransferException("trust store " + file + " is damaged", e);
        }
    }

    private void save() throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (TrustedPeer tp : peers.values()) {
            out.put("peer." + tp.fingerprint() + ".name", tp.name());
            out.put("peer." + tp.fingerprint() + ".addedAt", tp.addedAt().toString());
            out.put("peer." + tp.fingerprint() + ".role", tp.role());
        }
        tokens.forEach((h, t) -> {
            out.put("token." + h + ".issuedAt", t.issuedAt().toString());
            out.put("token." + h + ".expiresAt", t.expiresAt().toString());
            out.put("token." + h + ".role", t.role());
        });
        StringWriter w = new StringWriter();
        w.write("# Godwit trust store: pinned certificate fingerprints and pending trust-token hashes\n");
        Properties plain = new Properties();
        plain.putAll(out);
        // Properties.store escapes values correctly; order is not guaranteed, which is acceptable.
        plain.store(w, null);
        AtomicFiles.write(file, w.toString().getBytes(StandardCharsets.UTF_8), PosixFilePermissions.fromString("rw-------"));
    }

    public synchronized void add(TrustedPeer peer) throws IOException {
        peers.put(peer.fingerprint(), peer);
        save();
    }

    /** Removes a pinned fingerprint; returns whether it was there. New connections are refused at once. */
    public synchronized boolean revoke(String fingerprint) throws IOException {
        boolean removed = peers.remove(Fingerprints.normalize(fingerprint)) != null;
        if (removed) save();
        return removed;
    }

    public synchronized boolean isTrusted(String fingerprint) {
        return fingerprint != null && peers.containsKey(fingerprint);
    }

    public synchronized Optional<TrustedPeer> get(String fingerprint) {
        return Optional.ofNullable(peers.get(fingerprint));
    }

    public synchronized List<TrustedPeer> list() {
        return List.copyOf(new ArrayList<>(peers.values()));
    }

    public String ownFingerprint() {
        return ownFingerprint;
    }

    /** Issues a one-time token that lets another daemon ("peer" role) pair with this one. */
    public TrustToken issueToken(Duration ttl) throws IOException {
        return issueToken(ttl, TrustedPeer.PEER);
    }

    public synchronized TrustToken issueToken(Duration ttl, String role) throws IOException {
        if (!TrustedPeer.PEER.equals(role) && !TrustedPeer.CLIENT.equals(role)) {
            // "member" is never handed out by token: only the fleet's directory makes members
            throw new IllegalArgumentException("a token grants the role 'peer' or 'client', not '" + role + "'");
        }
        byte[] secret = new byte[TrustToken.SECRET_BYTES];
        RANDOM.nextBytes(secret);
        Instant now = Instant.now();
        TrustToken token = TrustToken.of(ownFingerprint, secret, now.plus(ttl));
        dropExpired(now);
        tokens.put(Fingerprints.sha256Hex(secret), new PendingToken(now, token.expiresAt(), role));
        save();
        return token;
    }

    /** Consumes a token secret: succeeds once, before expiry; the token is gone afterwards either way. */
    public synchronized Optional<TokenGrant> redeem(byte[] secret) throws IOException {
        Instant now = Instant.now();
        PendingToken t = tokens.remove(Fingerprints.sha256Hex(secret));
        dropExpired(now);
        save();
        if (t == null || !now.isBefore(t.expiresAt())) return Optional.empty();
        return Optional.of(new TokenGrant(t.role(), t.issuedAt()));
    }

    /** Same, given the whole token string or just its secret part in hex. */
    public Optional<TokenGrant> redeem(String tokenOrSecretHex) throws IOException {
        byte[] secret = tokenOrSecretHex.startsWith(TrustToken.PREFIX)
                ? TrustToken.parse(tokenOrSecretHex).secret() : HexFormat.of().parseHex(tokenOrSecretHex);
        return redeem(secret);
    }

    private void dropExpired(Instant now) {
        tokens.values().removeIf(t -> !now.isBefore(t.expiresAt()));
    }
}
