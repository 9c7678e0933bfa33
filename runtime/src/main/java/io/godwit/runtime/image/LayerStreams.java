package io.godwit.runtime.image;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * Opening and checking the blobs of an image: a layer's tar stream whatever its compression (told
 * by its first bytes: gzip, zstd or none, so a wrong media type does no harm), and digests.
 */
final class LayerStreams {

    private static final int BUFFER = 1 << 16;

    private LayerStreams() {
    }

    /** The layer's uncompressed tar stream. */
    static InputStream openTar(Path blob) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(blob), BUFFER);
        try {
            return decompressed(raw);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static InputStream decompressed(InputStream raw) throws IOException {
        raw.mark(4);
        byte[] magic = raw.readNBytes(4);
        raw.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(raw, BUFFER), BUFFER);
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
                && (magic[3] & 0xff) == 0xfd) {
            return new BufferedInputStream(new ZstdInputStream(raw), BUFFER);
        }
        return raw;
    }

    /**
     * Checks that the file's SHA-256 (of its bytes as stored, or of its uncompressed tar stream when
     * {@code uncompressed}, as a Docker config's diff_ids are) is {@code digest} ("sha256:HEX").
     * The error names the blob: {@code what}.
     */
    static void verify(Path file, String digest, boolean uncompressed, String what) throws IOException {
        if (digest == null || !digest.startsWith("sha256:")) {
            throw new InvalidImageException(what + ": digest '" + digest + "' is not sha256:HEX, which is all Godwit checks");
        }
        MessageDigest sha = sha256();
        try (InputStream in = uncompressed ? openTar(file) : Files.newInputStream(file);
                DigestInputStream d = new DigestInputStream(in, sha)) {
            d.transferTo(java.io.OutputStream.nullOutputStream());
        }
        String actual = "sha256:" + HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(digest.toLowerCase())) {
            throw new InvalidImageException(what + " does not match its digest: expected " + digest + ", content has " + actual);
        }
    }

    static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
