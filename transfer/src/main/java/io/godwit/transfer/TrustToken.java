package io.godwit.transfer;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A one-time pairing token: "gw1." + base64url(32 bytes of the issuing daemon's fingerprint
 * + 32 random bytes of secret). Whoever holds it learns which certificate to pin and can
 * prove once to that daemon that an administrator let it in.
 */
public record TrustToken(String token, String fingerprint, byte[] secret, Instant expiresAt) {
    static final String PREFIX = "gw1.";
    static final int SECRET_BYTES = 32;

    static TrustToken of(String fingerprint, byte[] secret, Instant expiresAt) {
        byte[] fp = HexFormat.of().parseHex(fingerprint);
        byte[] raw = ByteBuffer.allocate(fp.length + secret.length).put(fp).put(secret).array();
        return new TrustToken(PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw),
                fingerprint, secret.clone(), expiresAt);
    }

    /** Parses a token string; the expiry is known only to the issuer, so it is null here. */
    public static TrustToken parse(String token) {
        String t = token.strip();
        if (!t.startsWith(PREFIX)) throw new IllegalArgumentException("not a Godwit trust token (expected prefix " + PREFIX + ")");
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(t.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("trust token is not valid base64url", e);
        }
        if (raw.length != 32 + SECRET_BYTES) throw new IllegalArgumentException("trust token has the wrong length");
        return new TrustToken(t, HexFormat.of().formatHex(raw, 0, 32), Arrays.copyOfRange(raw, 32, raw.length), null);
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public String toString() {
        return "TrustToken[for " + fingerprint + ", expires " + expiresAt + "]"; // never print the secret
    }
}
