package io.godwit.migrator.store;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What protects a chunk's bytes at rest: nothing, or AES-256-GCM under the store's data key with
 * a fresh 96-bit nonce per chunk and the chunk's name as associated data (a chunk copied over
 * another one's name fails to open, as does any changed byte).
 */
interface ChunkSeal {
    boolean sealed();

    byte[] seal(String name, byte[] plain);

    /** The plain bytes; throws SealBrokenException when the chunk was changed or the key is not the one that sealed it. */
    byte[] open(String name, byte[] data, int off, int len) throws SealBrokenException;

    final class SealBrokenException extends Exception {
        private static final long serialVersionUID = 1L;

        SealBrokenException(String message) {
            super(message);
        }
    }

    ChunkSeal NONE = new ChunkSeal() {
        @Override
        public boolean sealed() {
            return false;
        }

        @Override
        public byte[] seal(String name, byte[] plain) {
            return plain;
        }

        @Override
        public byte[] open(String name, byte[] data, int off, int len) {
            return Arrays.copyOfRange(data, off, off + len);
        }
    };

    static ChunkSeal aesGcm(byte[] dataKey) {
        SecretKeySpec key = new SecretKeySpec(dataKey, "AES");
        SecureRandom random = new SecureRandom();
        return new ChunkSeal() {
            private static final int NONCE = 12;
            private static final int TAG_BITS = 128;

            @Override
            public boolean sealed() {
                return true;
            }

            @Override
            public byte[] seal(String name, byte[] plain) {
                try {
                    byte[] nonce = new byte[NONCE];
                    random.nextBytes(nonce);
                    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                    c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
                    c.updateAAD(name.getBytes(StandardCharsets.US_ASCII));
                    byte[] out = new byte[NONCE + c.getOutputSize(plain.length)];
                    System.arraycopy(nonce, 0, out, 0, NONCE);
                    c.doFinal(plain, 0, plain.length, out, NONCE);
                    return out;
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("AES-GCM unavailable", e);
                }
            }

            @Override
            public byte[] open(String name, byte[] data, int off, int len) throws SealBrokenException {
                if (len < NONCE + TAG_BITS / 8) {
                    throw new SealBrokenException("too short to be sealed");
                }
                try {
                    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                    c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, off, NONCE));
                    c.updateAAD(name.getBytes(StandardCharsets.US_ASCII));
                    return c.doFinal(data, off + NONCE, len - NONCE);
                } catch (javax.crypto.AEADBadTagException e) {
                    throw new SealBrokenException("fails its AES-GCM tag (changed, or sealed under another key)");
                } catch (GeneralSecurityException e) {
                    throw new SealBrokenException("cannot be opened: " + e.getMessage());
                }
            }
        };
    }
}
