package io.godwit.migrator.store;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Reads a checkpoint archive (format: {@link ArchiveWriter}) record by record, checking each chunk
 * against its SHA-256 as it comes and the whole file against the end record. Nothing read is to
 * be trusted before {@link Visitor#end()} has been called: the caller keeps what it wrote aside
 * until then.
 */
final class ArchiveReader {
    /** What the archive holds, in the order it holds it. */
    interface Visitor {
        void manifest(byte[] json) throws IOException;

        void chunkList(byte[] json) throws IOException;

        /** A chunk whose plain bytes match its SHA-256 (hex). */
        void chunk(String sha256, byte[] plain) throws IOException;

        /** The rootfs tar, already copied into a file of the reader's choosing. */
        void rootfs(Path tar) throws IOException;

        void end() throws IOException;
    }

    private static final long MAX_METADATA = 64L << 20;

    private ArchiveReader() {
    }

    static void read(InputStream source, Path scratch, Visitor v) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        DataInputStream in = new DataInputStream(new DigestInputStream(source, digest));
        byte[] magic = new byte[ArchiveWriter.MAGIC.length()];
        try {
            in.readFully(magic);
        } catch (EOFException e) {
            throw new IOException("not a Godwit checkpoint archive (too short)");
        }
        if (!Arrays.equals(magic, ArchiveWriter.MAGIC.getBytes(StandardCharsets.US_ASCII))) {
            throw new IOException("not a Godwit checkpoint archive (it does not start with "
                    + ArchiveWriter.MAGIC.strip() + ")");
        }
        ChunkNamer sha = ChunkNamer.sha256();
        try {
            for (;;) {
                byte[] soFar = digestSoFar(digest);
                int type = in.readUnsignedByte();
                long len = in.readLong();
                if (len < 0) {
                    throw new IOException("a record claims " + len + " bytes");
                }
                switch (type) {
                    case ArchiveWriter.MANIFEST -> v.manifest(small(in, len));
                    case ArchiveWriter.CHUNK_LIST -> v.chunkList(small(in, len));
                    case ArchiveWriter.CHUNK -> {
                        if (len < 37 || len > ChunkStore.MAX_CHUNK + 64L) {
                            throw new IOException("a chunk record claims " + len + " bytes");
                        }
                        byte[] body = small(in, len);
                        String name = HexFormat.of().formatHex(body, 0, 32);
                        int plainLength = java.nio.ByteBuffer.wrap(body, 33, 4).getInt();
                        if (plainLength < 0 || plainLength > ChunkStore.MAX_CHUNK) {
                            throw new ChunkDamagedException(name, "in the archive claims " + plainLength + " bytes");
                        }
                        byte[] plain = Codec.ofId(body[32]).decompress(body, 37, body.length - 37, plainLength);
                        if (!sha.name(plain, plain.length).equals(name)) {
                            throw new ChunkDamagedException(name, "in the archive does not match its SHA-256");
                        }
                        v.chunk(name, plain);
                    }
                    case ArchiveWriter.ROOTFS -> {
                        Path tar = Files.createTempFile(scratch, "rootfs-", ".tar");
                        try (OutputStream out = Files.newOutputStream(tar)) {
                            copy(in, out, len);
                        }
                        v.rootfs(tar);
                    }
                    case ArchiveWriter.END -> {
                        byte[] claimed = small(in, len);
                        if (!Arrays.equals(claimed, soFar)) {
                            throw new IOException("the archive does not match its SHA-256 (changed or cut)");
                        }
                        v.end();
                        return;
                    }
                    default -> throw new IOException("unknown record type " + type);
                }
            }
        } catch (EOFException e) {
            throw new IOException("the archive ends before its end record: it was cut short");
        }
    }

    private static byte[] digestSoFar(MessageDigest d) {
        try {
            return ((MessageDigest) d.clone()).digest();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 cannot be cloned", e);
        }
    }

    private static byte[] small(DataInputStream in, long len) throws IOException {
        if (len > MAX_METADATA) {
            throw new IOException("a record claims " + len + " bytes");
        }
        byte[] b = new byte[(int) len];
        in.readFully(b);
        return b;
    }

    private static void copy(InputStream in, OutputStream out, long len) throws IOException {
        byte[] buf = new byte[1 << 16];
        while (len > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, len));
            if (n < 0) {
                throw new EOFException();
            }
            out.write(buf, 0, n);
            len -= n;
        }
    }
}
