package io.godwit.migrator.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys of an encrypted store. The operator's key (a key file; later a KMS could stand in its
 * place: it only wraps and unwraps) never touches a chunk: it wraps a random data key, kept in
 * ROOT/store/key.json, whose first half seals chunks (AES-256-GCM) and second half names them
 * (HMAC-SHA-256). Changing the operator's key then means re-wrapping 64 bytes, not re-sealing the store.
 */
final class StoreKeys {
    static final String FILE = "key.json";
    private static final byte[] WRAP_AAD = "godwit store data key v1".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** key.json: the data key wrapped (AES-256-GCM) by the operator's key. */
    record Wrapped(int format, String wrap, String nonce, String wrapped) {
    }

    /** The unwrapped data key: what seals chunks, and what names them. */
    record DataKey(byte[] seal, byte[] naming) {
    }

    private StoreKeys() {
    }

    /**
     * The operator's key from its file: 32 bytes, raw or as 64 hex digits, in a regular file that
     * only its owner, root or the daemon's user, can read or write (mode 0600 or 0400).
     */
    static byte[] readOperatorKey(Path file) throws IOException {
        byte[] raw = SecretFiles.read(file, "store key file");
        if (raw.length == 32) {
            return raw;
        }
        String text = new String(raw, StandardCharsets.US_ASCII).strip();
        if (text.length() == 64 && text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return HexFormat.of().parseHex(text);
        }
        throw new IOException("store key file " + file + " must hold 32 bytes (raw, or 64 hex digits), it holds "
                + raw.length + " bytes; make one with: head -c 32 /dev/urandom > " + file);
    }

    /** The data key of the store in storeDir, made and wrapped on first use; a wrong key is refused. */
    static DataKey open(Path storeDir, byte[] operatorKey, Path keyFile) throws IOException {
        Path f = storeDir.resolve(FILE);
        byte[] data;
        if (Files.isRegularFile(f)) {
            Wrapped w = JSON.readValue(f.toFile(), Wrapped.class);
            try {
                data = crypt(Cipher.DECRYPT_MODE, operatorKey, Base64.getDecoder().decode(w.nonce()),
                        Base64.getDecoder().decode(w.wrapped()));
            } catch (AEADBadTagException e) {
                throw new IOException("store key file " + keyFile + " is not the key the store " + storeDir
                        + " was encrypted with (its data key does not unwrap)");
            }
        } else {
            data = new byte[64];
            SecureRandom random = new SecureRandom();
            random.nextBytes(data);
            byte[] nonce = new byte[12];
            random.nextBytes(nonce);
            byte[] wrapped;
            try {
                wrapped = crypt(Cipher.ENCRYPT_MODE, operatorKey, nonce, data);
            } catch (AEADBadTagException e) {
                throw new IllegalStateException(e);
            }
            io.godwit.migrator.files.AtomicWrite.write(f, JSON.writeValueAsBytes(new Wrapped(1, "AES-256-GCM",
                    Base64.getEncoder().encodeToString(nonce), Base64.getEncoder().encodeToString(wrapped))));
        }
        return new DataKey(Arrays.copyOfRange(data, 0, 32), Arrays.copyOfRange(data, 32, 64));
    }

    private static byte[] crypt(int mode, byte[] key, byte[] nonce, byte[] in) throws AEADBadTagException {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(WRAP_AAD);
            return c.doFinal(in);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }
}
