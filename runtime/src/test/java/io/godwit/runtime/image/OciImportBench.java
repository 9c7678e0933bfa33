package io.godwit.runtime.image;

import io.godwit.runtime.HostCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Not a test: times the import of an OCI layout with one 100 MB gzip layer (100 files of 1 MB,
 * half random, half text-like) against GNU tar extracting the same layer. Run with the test class
 * path: {@code java -cp ... io.godwit.runtime.image.OciImportBench [DIR] [RUNS]}.
 */
public final class OciImportBench {

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory(Path.of(args.length > 0 ? args[0] : "/tmp"), "oci-bench-");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        try {
            Random random = new Random(42);
            TestTar tar = new TestTar().dir("data");
            for (int i = 0; i < 100; i++) {
                byte[] b = new byte[1 << 20];
                if (i % 2 == 0) {
                    random.nextBytes(b);
                } else {
                    for (int j = 0; j < b.length; j++) {
                        b[j] = (byte) ('a' + random.nextInt(16));
                    }
                }
                tar.file("data/f" + i, b);
            }
            Path layout = new TestImages().layer(tar, TestImages.Compression.GZIP)
                    .config(List.of("/bin/true"), List.of(), List.of(), "/", "0").ociLayout(dir.resolve("layout"));
            Path layer;
            try (var blobs = Files.list(layout.resolve("blobs/sha256"))) {
                layer = blobs.max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length())).orElseThrow();
            }
            System.out.printf("layer: %d bytes gzip%n", Files.size(layer));
            List<Long> ours = new ArrayList<>();
            List<Long> gnu = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                ContentImageStore store = new ContentImageStore(dir.resolve("store" + r));
                long t0 = System.nanoTime();
                store.importImage("bench", layout);
                ours.add((System.nanoTime() - t0) / 1_000_000);
                Path out = Files.createDirectories(dir.resolve("tar" + r));
                t0 = System.nanoTime();
                HostCommand.run(List.of("sh", "-c", "tar -xzf '" + layer + "' -C '" + out + "' && sha256sum '" + layer
                        + "' > /dev/null"));
                gnu.add((System.nanoTime() - t0) / 1_000_000);
            }
            System.out.println("godwit import (verify + apply + fingerprint) ms: " + ours);
            System.out.println("tar -xzf + sha256sum of the same layer ms:       " + gnu);
        } finally {
            AtomicFiles.deleteTree(dir);
        }
    }
}
