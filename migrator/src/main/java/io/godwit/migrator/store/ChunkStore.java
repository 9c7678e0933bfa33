package io.godwit.migrator.store;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The chunks, wherever their backend keeps them (disk or S3), each written once (whole or absent,
 * whatever kills the daemon), never changed, and checked against its name whenever it is read. A chunk file is a 10-byte header (magic "GWC1", codec, flags, length
 * of the plain bytes) and the compressed bytes, sealed when the store is encrypted.
 */
final class ChunkStore {
    private static final byte[] MAGIC = {'G', 'W', 'C', '1'};
    private static final int HEADER = 10;
    private static final int SEALED = 1;
    /** No chunk is larger: a header that says otherwise is damage, not an allocation to try. */
    static final int MAX_CHUNK = 4 << 20;

    private final ChunkBackend backend;
    private final ChunkNamer namer;
    private final ChunkSeal seal;
    private final Codec codec;

    ChunkStore(ChunkBackend backend, ChunkNamer namer, ChunkSeal seal, Codec codec) {
        this.backend = backend;
        this.namer = namer;
        this.seal = seal;
        this.codec = codec;
    }

    ChunkBackend backend() {
        return backend;
    }

    ChunkNamer namer() {
        return namer;
    }

    boolean contains(String name) {
        return backend.contains(name);
    }

    /** What {@link #put} did: the chunk's name, and the bytes it added to the disk (0 when the store had it). */
    record Put(String name, long storedBytes) {
    }

    /** Stores {@code len} bytes of data as one chunk unless the store already holds it. */
    Put put(byte[] data, int len) throws IOException {
        String name = namer.name(data, len);
        return new Put(name, contains(name) ? 0 : write(name, data, len));
    }

    /**
     * As {@link #put(byte[], int)}, but first compares the bytes with chunk {@code likely} (the previous
     * generation's chunk at the same place): equal, they take its name unhashed. See Ingest.
     */
    Put put(byte[] data, int len, String likely) throws IOException {
        if (likely != null && sameAs(likely, data, len)) {
            return new Put(likely, 0);
        }
        return put(data, len);
    }

    /** Whether comparing with a stored chunk is cheaper than hashing: chunks on disk, not sealed. */
    boolean comparable() {
        return backend.cheapReads() && !seal.sealed();
    }

    private boolean sameAs(String name, byte[] data, int len) throws IOException {
        byte[] raw = backend.get(name);
        if (raw == null || raw.length < HEADER || raw[0] != MAGIC[0] || raw[1] != MAGIC[1] || raw[2] != MAGIC[2]
                || raw[3] != MAGIC[3] || (raw[5] & SEALED) != 0 || ByteBuffer.wrap(raw, 6, 4).getInt() != len) {
            return false;
        }
        if (raw[4] == Codec.NONE.id) {
            return raw.length - HEADER == len && java.util.Arrays.equals(raw, HEADER, raw.length, data, 0, len);
        }
        try {
            byte[] plain = unpack(name, raw);
            return java.util.Arrays.equals(plain, 0, plain.length, data, 0, len);
        } catch (ChunkDamagedException damaged) {
            return false; // hashed and stored anew instead
        }
    }

    /** Writes a chunk whose name the caller computed (an import re-names nothing it has not hashed itself). */
    long write(String name, byte[] data, int len) throws IOException {
        Codec used = codec == Codec.NONE || incompressible(data, len) ? Codec.NONE : codec;
        byte[] packed = used.compress(data, len);
        if (packed.length >= len) { // did not shrink after all: keep as is
            packed = Codec.NONE.compress(data, len);
            used = Codec.NONE;
        }
        byte[] body = seal.seal(name, packed);
        ByteBuffer out = ByteBuffer.allocate(HEADER + body.length);
        out.put(MAGIC).put((byte) used.id).put((byte) (seal.sealed() ? SEALED : 0)).putInt(len).put(body);
        backend.put(name, out.array());
        return out.capacity();
    }

    /** The first pages of a chunk tried first: memory of random numbers (or compressed data) skips the whole. */
    static final int SAMPLE = 8192;

    /**
     * Whether the chunk's first 8 KiB do not shrink by 3 % under the codec: then neither will the
     * rest, most likely, and compressing 64 KiB of random memory costs more than hashing it (zstd
     * level 1 ran at about a quarter of SHA-256's speed on memwriter's pages, docs/STORE.md).
     */
    private boolean incompressible(byte[] data, int len) {
        if (len < 2 * SAMPLE) {
            return false;
        }
        return codec.compress(data, SAMPLE).length > SAMPLE * 97 / 100;
    }

    /** The chunk's plain bytes, checked against its name; anything else is a ChunkDamagedException naming it. */
    byte[] read(String name) throws IOException {
        byte[] raw = backend.get(name);
        if (raw == null) {
            throw new ChunkDamagedException(name, "is missing from the store");
        }
        byte[] plain = unpack(name, raw);
        if (!namer.name(plain, plain.length).equals(name)) {
            throw new ChunkDamagedException(name, "does not match its digest");
        }
        return plain;
    }

    /** Header, seal and codec of a chunk file; the digest check is the caller's. */
    byte[] unpack(String name, byte[] raw) throws ChunkDamagedException {
        if (raw.length < HEADER || raw[0] != MAGIC[0] || raw[1] != MAGIC[1] || raw[2] != MAGIC[2] || raw[3] != MAGIC[3]) {
            throw new ChunkDamagedException(name, "has no chunk header");
        }
        boolean sealed = (raw[5] & SEALED) != 0;
        if (sealed != seal.sealed()) {
            throw new ChunkDamagedException(name, sealed ? "is encrypted and this store has no key"
                    : "is not encrypted in an encrypted store");
        }
        int rawLength = ByteBuffer.wrap(raw, 6, 4).getInt();
        if (rawLength < 0 || rawLength > MAX_CHUNK) {
            throw new ChunkDamagedException(name, "claims " + rawLength + " bytes");
        }
        try {
            Codec used = Codec.ofId(raw[4]);
            if (!sealed && used == Codec.NONE) { // the common case of memory that does not compress: one copy
                return Codec.NONE.decompress(raw, HEADER, raw.length - HEADER, rawLength);
            }
            byte[] packed = seal.open(name, raw, HEADER, raw.length - HEADER);
            return used.decompress(packed, 0, packed.length, rawLength);
        } catch (ChunkSeal.SealBrokenException e) {
            throw new ChunkDamagedException(name, e.getMessage());
        } catch (IOException e) {
            throw new ChunkDamagedException(name, e.getMessage());
        }
    }
}
