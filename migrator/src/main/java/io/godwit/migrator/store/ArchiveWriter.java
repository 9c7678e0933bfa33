package io.godwit.migrator.store;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Writes a checkpoint archive: one self-describing file that another daemon can verify and import.
 * <pre>
 * "GODWIT-CHECKPOINT-ARCHIVE 1\n"
 * records: type (1 byte), length (8 bytes), payload
 *   'M' the checkpoint's manifest.json
 *   'C' one chunk: its SHA-256 (32 bytes), codec (1), plain length (4), compressed bytes
 *   'L' chunks.json, its chunks named by SHA-256 of their plain bytes (whatever the source store uses)
 *   'R' the rootfs changes as a tar (whiteouts, xattrs, owners kept)
 *   'E' the SHA-256 of every byte before this record: the end, and the whole file's check
 * </pre>
 * Chunks are in clear (compressed, not encrypted), each once: the archive is as secret as the
 * container's memory, and is the operator's to protect.
 */
public final class ArchiveWriter implements AutoCloseable {
    static final String MAGIC = "GODWIT-CHECKPOINT-ARCHIVE 1\n";
    static final byte MANIFEST = 'M', CHUNK = 'C', CHUNK_LIST = 'L', ROOTFS = 'R', END = 'E';

    private final MessageDigest digest;
    private final DataOutputStream out;

    public ArchiveWriter(OutputStream sink) throws IOException {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        out = new DataOutputStream(new DigestOutputStream(sink, digest));
        out.write(MAGIC.getBytes(StandardCharsets.US_ASCII));
    }

    public void manifest(byte[] json) throws IOException {
        record(MANIFEST, json);
    }

    void chunkList(byte[] json) throws IOException {
        record(CHUNK_LIST, json);
    }

    /** A chunk of plain bytes named by their SHA-256 (hex). */
    void chunk(byte[] sha256, byte[] plain) throws IOException {
        byte[] packed = Codec.ZSTD.compress(plain, plain.length);
        Codec used = Codec.ZSTD;
        if (packed.length >= plain.length) {
            packed = plain;
            used = Codec.NONE;
        }
        out.writeByte(CHUNK);
        out.writeLong(32 + 1 + 4 + packed.length);
        out.write(sha256);
        out.writeByte(used.id);
        out.writeInt(plain.length);
        out.write(packed);
    }

    public void rootfs(Path tar) throws IOException {
        out.writeByte(ROOTFS);
        out.writeLong(Files.size(tar));
        try (InputStream in = Files.newInputStream(tar)) {
            in.transferTo(out);
        }
    }

    /** Writes the end record with the digest of all before it. */
    public void finish() throws IOException {
        out.flush();
        byte[] d = digest.digest();
        out.writeByte(END);
        out.writeLong(d.length);
        out.write(d);
        out.flush();
    }

    private void record(byte type, byte[] payload) throws IOException {
        out.writeByte(type);
        out.writeLong(payload.length);
        out.write(payload);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
