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
        // one digest per thread, reused: a checkpoint names thousands of chunks on a few threads
        ThreadLocal<MessageDigest> digests = ThreadLocal.withInitial(() -> {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
        return new ChunkNamer() {
            @Override
            public String scheme() {
                return "sha256";
            }

            @Override
            public String name(byte[] data, int len) {
                MessageDigest md = digests.get();
                md.update(data, 0, len);
                return HexFormat.of().formatHex(md.digest());
            }
        };
    }

    static ChunkNamer hmac(byte[] key) {
        SecretKeySpec spec = new SecretKeySpec(key, "HmacSHA256");
        ThreadLocal<Mac> macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(spec);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
        return new ChunkNamer() {
            @Override
            public String scheme() {
                return "hmac-sha256";
            }

            @Override
            public String name(byte[] data, int len) {
                Mac mac = macs.get(); // doFinal resets it for the next chunk, under the same key
                mac.update(data, 0, len);
                return HexFormat.of().formatHex(mac.doFinal());
            }
        };
    }
}
