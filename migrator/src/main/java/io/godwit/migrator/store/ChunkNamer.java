package io.godwit.migrator.store;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Names a chunk by its content. Without encryption the name is the SHA-256 of the bytes; with
 * encryption it is an HMAC-SHA-256 under a key only the daemon holds, so that a chunk's name says
 * nothing about its content (a plain digest would let anyone who can list the store test whether
 * it holds a page they can guess, a zeroed page or a known binary, say).
 */
public interface ChunkNamer {
    /** "sha256" or "hmac-sha256": written into each checkpoint's chunks.json. */
    String scheme();

    String name(byte[] data, int len);

    static ChunkNamer sha256() {
        return new ChunkNamer() {
            @Override
            public String scheme() {
                return "sha256";
            }

            @Override
            public String name(byte[] data, int len) {
                try {
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    md.update(data, 0, len);
                    return HexFormat.of().formatHex(md.digest());
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    static ChunkNamer hmac(byte[] key) {
        SecretKeySpec spec = new SecretKeySpec(key, "HmacSHA256");
        return new ChunkNamer() {
            @Override
            public String scheme() {
                return "hmac-sha256";
            }

            @Override
            public String name(byte[] data, int len) {
                try {
                    Mac mac = Mac.getInstance("HmacSHA256");
                    mac.init(spec);
                    mac.update(data, 0, len);
                    return HexFormat.of().formatHex(mac.doFinal());
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }
}
