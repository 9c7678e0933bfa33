package io.godwit.migrator.store;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * For scripts/bench store: compression ratio and throughput of each codec on the files of a
 * checkpoint's images/ directory, cut into the store's 64 KiB chunks, as the store would.
 * Usage: CodecBench LABEL IMAGES_DIR... (pairs); prints one line per codec and image.
 */
public final class CodecBench {
    public static void main(String[] args) throws Exception {
        for (int a = 0; a + 1 < args.length; a += 2) {
            List<byte[]> chunks = chunks(Path.of(args[a + 1]));
            long raw = chunks.stream().mapToLong(c -> c.length).sum();
            for (Codec codec : Codec.values()) {
                long packed = 0;
                long best = Long.MAX_VALUE;
                long bestDecompress = Long.MAX_VALUE;
                for (int run = 0; run < 3; run++) {
                    long t = System.nanoTime();
                    List<byte[]> out = new ArrayList<>();
                    packed = 0;
                    for (byte[] c : chunks) {
                        byte[] p = codec.compress(c, c.length);
                        out.add(p);
                        packed += Math.min(p.length, c.length); // the store keeps a chunk as is when it does not shrink
                    }
                    best = Math.min(best, System.nanoTime() - t);
                    t = System.nanoTime();
                    for (int i = 0; i < out.size(); i++) {
                        byte[] p = out.get(i);
                        codec.decompress(p, 0, p.length, chunks.get(i).length);
                    }
                    bestDecompress = Math.min(bestDecompress, System.nanoTime() - t);
                }
                System.out.printf("codec %-4s on %-22s %8.1f MiB  ratio %5.2fx  compress %7.0f MiB/s  decompress %7.0f MiB/s%n",
                        codec.word(), args[a], raw / 1048576.0, (double) raw / packed,
                        raw / 1048576.0 / (best / 1e9), raw / 1048576.0 / (bestDecompress / 1e9));
            }
        }
    }

    private static List<byte[]> chunks(Path dir) throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).sorted().toList()) {
                byte[] all = Files.readAllBytes(p);
                for (int off = 0; off < all.length; off += Ingest.CHUNK_SIZE) {
                    out.add(java.util.Arrays.copyOfRange(all, off, Math.min(all.length, off + Ingest.CHUNK_SIZE)));
                }
            }
        }
        return out;
    }
}
