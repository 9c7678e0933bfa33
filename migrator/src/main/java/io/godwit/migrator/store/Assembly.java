package io.godwit.migrator.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Makes a checkpoint's image files again from its chunks, into a directory of its own. First
 * every chunk must be present (a missing one is refused by name before a byte is written), then
 * each is read, opened, decompressed and checked against its digest as it is written, on every
 * core. Any failure removes what was written: a half-assembled directory is never handed on.
 */
final class Assembly {
    private final ChunkStore store;
    private final ExecutorService workers;

    Assembly(ChunkStore store, ExecutorService workers) {
        this.store = store;
        this.workers = workers;
    }

    void run(StoreManifest manifest, Path target) throws IOException, InterruptedException {
        checkPresent(manifest);
        try {
            for (StoredFile f : manifest.files()) {
                Path out = safeResolve(target, f.path());
                Files.createDirectories(out.getParent());
                try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    List<Future<Void>> writes = new ArrayList<>();
                    for (int i = 0; i < f.chunks().size(); i++) {
                        String name = f.chunks().get(i);
                        long offset = (long) i * manifest.chunkSize();
                        int expected = manifest.lengthOf(f.size(), i);
                        writes.add(workers.submit(() -> {
                            byte[] plain;
                            try {
                                plain = store.read(name);
                            } catch (ChunkDamagedException e) {
                                throw e.inFile(f.path());
                            }
                            if (plain.length != expected) {
                                throw new ChunkDamagedException(name, "(of " + f.path() + ") has " + plain.length
                                        + " bytes, expected " + expected);
                            }
                            ByteBuffer b = ByteBuffer.wrap(plain);
                            while (b.hasRemaining()) {
                                ch.write(b, offset + b.position());
                            }
                            return null;
                        }));
                    }
                    for (Future<Void> w : writes) {
                        Ingest.await(w, out);
                    }
                }
                if (Files.size(out) != f.size()) {
                    throw new IOException(f.path() + " came out " + Files.size(out) + " bytes, expected " + f.size());
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            io.godwit.migrator.files.Trees.delete(target);
            throw e;
        }
    }

    /** Every chunk the manifest names is in the store, and the counts add up: else refused by name. */
    void checkPresent(StoreManifest manifest) throws ChunkDamagedException {
        for (StoredFile f : manifest.files()) {
            long wanted = f.size() == 0 ? 0 : (f.size() + manifest.chunkSize() - 1) / manifest.chunkSize();
            if (f.chunks().size() != wanted) {
                throw new ChunkDamagedException("list of " + f.path(), "has " + f.chunks().size() + " chunks for "
                        + f.size() + " bytes");
            }
            for (String name : f.chunks()) {
                if (!store.contains(name)) {
                    throw new ChunkDamagedException(name, "(of " + f.path() + ") is missing from the store");
                }
            }
        }
    }

    /** A path from a manifest, which may have come from another host: never outside target. */
    static Path safeResolve(Path target, String rel) throws IOException {
        Path p = target.resolve(rel).normalize();
        if (!p.startsWith(target) || p.equals(target)) {
            throw new IOException("manifest names a file outside the checkpoint: " + rel);
        }
        return p;
    }
}
