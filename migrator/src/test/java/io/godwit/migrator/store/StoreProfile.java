package io.godwit.migrator.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * For scripts/bench store: where the store's time goes, on one file of random pages (memwriter's
 * memory does not compress) outside CRIU: hashing, compressing, a first ingest (every chunk new),
 * a second one after 5 % changed (the usual generation), and the assembly of a restore, against
 * the plain copy and SHA-256 of the same file that a full-copy checkpoint does.
 * Usage: StoreProfile DIR MIB
 */
public final class StoreProfile {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int mib = Integer.parseInt(args[1]);
        byte[] pages = new byte[mib << 20];
        new Random(1).nextBytes(pages);
        Path images = Files.createDirectories(dir.resolve("g1/images"));
        Files.write(images.resolve("pages-1.img"), pages);
        time("plain SHA-256 of the file (a full copy's manifest)", mib, () -> io.godwit.migrator.checkpoint.ManifestIo.sha256(images.resolve("pages-1.img")));
        time("copy of the file (cp)", mib, () -> Files.copy(images.resolve("pages-1.img"), dir.resolve("copy.img")));
        byte[] chunk = new byte[Ingest.CHUNK_SIZE];
        System.arraycopy(pages, 0, chunk, 0, chunk.length);
        time("SHA-256 per 64 KiB chunk, in memory, one thread", mib, () -> {
            for (int off = 0; off + chunk.length <= pages.length; off += chunk.length) {
                ChunkNamer.sha256().name(java.util.Arrays.copyOfRange(pages, off, off + chunk.length), chunk.length);
            }
        });
        time("zstd-1 per 64 KiB chunk, in memory, one thread", mib, () -> {
            for (int off = 0; off + chunk.length <= pages.length; off += chunk.length) {
                Codec.ZSTD.compress(java.util.Arrays.copyOfRange(pages, off, off + chunk.length), chunk.length);
            }
        });
        try (CheckpointStore store = CheckpointStore.open(dir.resolve("store"), new StoreSettings(true, Codec.ZSTD, null))) {
            time("ingest, every chunk new", mib, () -> store.ingest(images, dir.resolve("g1"), "job"));
            byte[] changed = new byte[pages.length / 20];
            new Random(2).nextBytes(changed);
            System.arraycopy(changed, 0, pages, pages.length / 2, changed.length);
            Path images2 = Files.createDirectories(dir.resolve("g2/images"));
            Files.write(images2.resolve("pages-1.img"), pages);
            time("ingest, 5 % new (compared with g1)", mib, () -> store.ingest(images2, dir.resolve("g2"), "job"));
            StoreManifest m = CheckpointStore.manifestOf(dir.resolve("g2"));
            time("assembly for a restore", mib, () -> store.assemble(m, dir.resolve("out")));
        }
    }

    interface Step {
        void run() throws Exception;
    }

    private static void time(String what, int mib, Step s) throws Exception {
        long t = System.nanoTime();
        s.run();
        double ms = (System.nanoTime() - t) / 1e6;
        System.out.printf("%-52s %7.0f ms  %6.0f MiB/s%n", what, ms, mib / (ms / 1000));
    }
}
