package io.godwit.migrator.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Cuts the files of a directory into fixed-size chunks and puts each into the store. Fixed, not
 * content-defined, chunks: CRIU's pages-*.img hold whole 4 KiB pages in address order, so a page
 * that changed changes exactly the chunk that holds it, and the other image files are small
 * (mostly one chunk each). Chunks are hashed, compressed and written on every core at once.
 */
final class Ingest {
    /** 64 KiB: 16 pages. Smaller chunks dedup a scattered change better, but cost a file each. */
    static final int CHUNK_SIZE = 64 * 1024;

    private final ChunkStore store;
    private final ExecutorService workers;
    private final StoreManifest parent;

    Ingest(ChunkStore store, ExecutorService workers) {
        this(store, workers, null);
    }

    /**
     * With the container's previous generation ({@code parent}, or null): a chunk is first compared byte
     * for byte with the parent's chunk at the same place of the same file, and if equal it takes that
     * name without being hashed. Comparing reads the parent's chunk (from the page cache, as a rule),
     * which costs a fraction of SHA-256 over the same bytes, and a generation that changed 5 % leaves
     * 95 % of its chunks equal. It is as safe as hashing: the bytes are those of the chunk file named X,
     * so naming them X is exactly as right as that file is, and a damaged file X is still refused by its
     * digest on every read. Only where reads are cheap (disk) and chunks are not sealed.
     */
    Ingest(ChunkStore store, ExecutorService workers, StoreManifest parent) {
        this.store = store;
        this.workers = workers;
        this.parent = parent != null && store.comparable() && parent.chunkSize() == CHUNK_SIZE
                && parent.naming().equals(store.namer().scheme()) ? parent : null;
    }

    /** Every regular file under dir (relative paths prefixed by {@code prefix}/), sorted. */
    IngestResult run(Path dir, String prefix) throws IOException, InterruptedException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        // Every chunk of every file is queued at once, each file opened once and read at its offsets by
        // whichever worker takes the chunk: the many small image files do not wait for each other, and
        // the workers stay busy across file boundaries.
        List<FileChannel> open = new ArrayList<>();
        List<List<Future<ChunkStore.Put>>> queued = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        try {
            for (Path p : paths) {
                FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
                open.add(ch);
                long size = ch.size();
                sizes.add(size);
                List<Future<ChunkStore.Put>> puts = new ArrayList<>();
                List<String> before = parentChunks(prefix + "/" + dir.relativize(p), size);
                for (long off = 0; off < size; off += CHUNK_SIZE) {
                    long at = off;
                    int len = (int) Math.min(CHUNK_SIZE, size - off);
                    String likely = before == null ? null : before.get((int) (off / CHUNK_SIZE));
                    puts.add(submit(ch, p, at, len, likely));
                }
                queued.add(puts);
            }
            return collect(dir, prefix, paths, sizes, queued);
        } finally {
            // on failure nothing queued may still read from a closed channel or write chunks no list names
            queued.forEach(puts -> puts.forEach(f -> f.cancel(true)));
            for (FileChannel ch : open) {
                ch.close();
            }
        }
    }

    /** Queues the chunk of {@code len} bytes at {@code at} of the open file p. */
    Future<ChunkStore.Put> submit(FileChannel ch, Path p, long at, int len, String likely) {
        return workers.submit(() -> store.put(readAt(ch, p, at, len), len, likely));
    }

    /** Waits for every queued chunk of the files (paths, their sizes, their chunks in order) and lists them. */
    IngestResult collect(Path dir, String prefix, List<Path> paths, List<Long> sizes,
            List<List<Future<ChunkStore.Put>>> queued) throws IOException, InterruptedException {
        List<StoredFile> files = new ArrayList<>();
        long chunks = 0, fresh = 0, freshRaw = 0, stored = 0;
        for (int f = 0; f < paths.size(); f++) {
            Path p = paths.get(f);
            List<Future<ChunkStore.Put>> puts = queued.get(f);
            List<String> names = new ArrayList<>(puts.size());
            for (int i = 0; i < puts.size(); i++) {
                ChunkStore.Put put = await(puts.get(i), p);
                names.add(put.name());
                chunks++;
                if (put.storedBytes() > 0) {
                    fresh++;
                    freshRaw += (int) Math.min(CHUNK_SIZE, sizes.get(f) - (long) i * CHUNK_SIZE);
                    stored += put.storedBytes();
                }
            }
            files.add(new StoredFile(prefix + "/" + dir.relativize(p), sizes.get(f), names));
        }
        return new IngestResult(new StoreManifest(StoreManifest.FORMAT, CHUNK_SIZE, store.namer().scheme(), files),
                chunks, fresh, freshRaw, stored);
    }

    /**
     * The parent's chunk at index i of the file at path, whatever its size then, for a file whose
     * final size is not known yet (followed while CRIU writes it); null when there is none. Only a
     * guess to compare with: bytes that differ are hashed as usual.
     */
    String parentChunk(String path, long index) {
        if (parent == null) {
            return null;
        }
        for (StoredFile f : parent.files()) {
            if (f.path().equals(path)) {
                return index < f.chunks().size() ? f.chunks().get((int) index) : null;
            }
        }
        return null;
    }

    /** The parent's chunks of the file at path, when it had one of the same size (else null). */
    List<String> parentChunks(String path, long size) {
        if (parent == null) {
            return null;
        }
        for (StoredFile f : parent.files()) {
            if (f.path().equals(path) && f.size() == size) {
                return f.chunks();
            }
        }
        return null;
    }

    private static byte[] readAt(FileChannel ch, Path file, long offset, int len) throws IOException {
        byte[] buf = new byte[len];
        ByteBuffer b = ByteBuffer.wrap(buf);
        while (b.hasRemaining()) {
            if (ch.read(b, offset + b.position()) < 0) {
                throw new IOException(file + " ended before byte " + (offset + len) + ": it changed while stored");
            }
        }
        return buf;
    }

    static <T> T await(Future<T> f, Path file) throws IOException, InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot store " + file + ": " + e.getCause(), e.getCause());
        }
    }
}
