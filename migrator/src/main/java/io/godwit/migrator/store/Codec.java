package io.godwit.migrator.store;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FastDecompressor;

/**
 * How a chunk's bytes are compressed at rest. Each stored chunk names its own codec (one byte), so
 * a store written with one codec stays readable after the daemon is set to another, and a chunk
 * that would not shrink (memory of random numbers, say) is kept as it is ({@link #NONE}).
 */
public enum Codec {
    NONE(0) {
        @Override
        byte[] compress(byte[] data, int len) {
            return Arrays.copyOf(data, len);
        }

        @Override
        byte[] decompress(byte[] data, int off, int len, int rawLength) throws IOException {
            if (len != rawLength) {
                throw new IOException("holds " + len + " bytes, expected " + rawLength);
            }
            return Arrays.copyOfRange(data, off, off + len);
        }
    },
    /** zstd level 1: the fastest level; memory pages gain little from higher ones (measured: docs/STORE.md). */
    ZSTD(1) {
        @Override
        byte[] compress(byte[] data, int len) {
            byte[] out = new byte[(int) Zstd.compressBound(len)];
            long n = Zstd.compressByteArray(out, 0, out.length, data, 0, len, 1);
            return Arrays.copyOf(out, (int) n);
        }

        @Override
        byte[] decompress(byte[] data, int off, int len, int rawLength) throws IOException {
            byte[] out = new byte[rawLength];
            long n;
            try {
                n = Zstd.decompressByteArray(out, 0, rawLength, data, off, len);
            } catch (RuntimeException e) {
                throw new IOException("does not decompress: " + e.getMessage());
            }
            if (n != rawLength) {
                throw new IOException("decompresses to " + n + " bytes, expected " + rawLength);
            }
            return out;
        }
    },
    LZ4(2) {
        @Override
        byte[] compress(byte[] data, int len) {
            LZ4Compressor c = LZ4Factory.fastestInstance().fastCompressor();
            byte[] out = new byte[c.maxCompressedLength(len)];
            int n = c.compress(data, 0, len, out, 0, out.length);
            return Arrays.copyOf(out, n);
        }

        @Override
        byte[] decompress(byte[] data, int off, int len, int rawLength) throws IOException {
            LZ4FastDecompressor d = LZ4Factory.fastestInstance().fastDecompressor();
            byte[] out = new byte[rawLength];
            try {
                int read = d.decompress(data, off, out, 0, rawLength);
                if (read != len) {
                    throw new IOException("holds " + len + " bytes, the codec read " + read);
                }
            } catch (RuntimeException e) {
                throw new IOException("does not decompress: " + e.getMessage());
            }
            return out;
        }
    };

    final int id;

    Codec(int id) {
        this.id = id;
    }

    abstract byte[] compress(byte[] data, int len);

    abstract byte[] decompress(byte[] data, int off, int len, int rawLength) throws IOException;

    static Codec ofId(int id) throws IOException {
        for (Codec c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        throw new IOException("unknown codec " + id);
    }

    /** "zstd", "lz4" or "none", as the settings file says it. */
    public static Codec parse(String word) {
        try {
            return valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown codec '" + word + "': zstd, lz4 or none");
        }
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
