package io.godwit.migrator.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * An {@link Ingest} that starts while CRIU still dumps: it follows the pages files (nearly all of a
 * dump's bytes) as they grow and queues each 64 KiB chunk as soon as it is whole on disk, still in
 * the page cache, so that compare, hash, compress and write run beside the dump instead of after it.
 * {@link #finish} queues the tails and the small image files and waits for all of it.
 *
 * <p>Like the checkpoint's own DumpHasher it relies on CRIU writing each pages file once, front to
 * back. A file replaced meanwhile (another inode) or shrunk is queued again whole from its start;
 * bytes rewritten after their chunk was stored would make its digest differ from the file, which
 * only a restore could notice: CRIU does not do that (page_xfer appends), and the restore checks
 * every chunk against its name, never against the images.
 */
final class FollowingIngest implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FollowingIngest.class.getName());
    private static final long IDLE_MILLIS = 5;

    private final Ingest ingest;
    private final Path dir;
    private final String prefix;
    private final Map<Path, Followed> followed = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile Exception failure;

    FollowingIngest(Ingest ingest, Path dir) {
        this.ingest = ingest;
        this.dir = dir;
        this.prefix = dir.getFileName().toString();
        this.thread = Thread.ofPlatform().daemon().name("store-follow-" + dir.getParent().getFileName())
                .start(this::follow);
    }

    private void follow() {
        try {
            while (!stopping) {
                if (catchUp() == 0) {
                    Thread.sleep(IDLE_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            failure = e; // finish() then ingests every file whole
        }
    }

    /** Queues the whole chunks the pages files gained; returns how many. */
    private int catchUp() throws IOException {
        List<Path> pages;
        try (Stream<Path> s = Files.list(dir)) {
            pages = s.filter(p -> p.getFileName().toString().startsWith("pages-")).sorted().toList();
        }
        int queued = 0;
        for (Path p : pages) {
            Followed f = followed.get(p);
            if (f == null) {
                f = Followed.open(p, prefix + "/" + dir.relativize(p));
                if (f == null) {
                    continue;
                }
                followed.put(p, f);
            }
            queued += f.queueWhole(ingest, p, f.channel.size());
        }
        return queued;
    }

    /** Stops following, queues the rest of every file and waits for every chunk: the ingest's result. */
    IngestResult finish() throws IOException, InterruptedException {
        stopping = true;
        thread.join();
        if (failure != null) {
            LOG.log(Level.FINE, "following " + dir + " failed; storing its files whole", failure);
            dropAll();
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        List<Long> sizes = new ArrayList<>();
        List<List<Future<ChunkStore.Put>>> queued = new ArrayList<>();
        for (Path p : paths) {
            Followed f = followed.get(p);
            if (f != null && !f.sameFile(p)) {
                f.drop();
                followed.remove(p);
                f = null;
            }
            if (f == null) {
                f = Followed.open(p, prefix + "/" + dir.relativize(p));
                if (f == null) {
                    throw new IOException("image file " + p + " disappeared while it was stored");
                }
                followed.put(p, f);
            }
            long size = f.channel.size();
            f.queueRest(ingest, p, size);
            sizes.add(size);
            queued.add(f.puts);
        }
        try {
            return ingest.collect(dir, prefix, paths, sizes, queued);
        } finally {
            dropAll(); // every chunk is done (or failed): closes the files
        }
    }

    private void dropAll() {
        followed.values().forEach(Followed::drop);
        followed.clear();
    }

    /** Stops following and cancels what is queued (a failed dump); after finish() it only closes the files. */
    @Override
    public void close() {
        stopping = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dropAll();
    }

    /** One file: its channel, identity, the chunks queued for it in order, and how far they reach. */
    private static final class Followed {
        final FileChannel channel;
        final Object key;
        final String path;
        final List<Future<ChunkStore.Put>> puts = new ArrayList<>();
        long queuedTo;

        private Followed(FileChannel channel, Object key, String path) {
            this.channel = channel;
            this.key = key;
            this.path = path;
        }

        static Followed open(Path p, String path) throws IOException {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!a.isRegularFile()) {
                    return null;
                }
                return new Followed(FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS),
                        a.fileKey(), path);
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        boolean sameFile(Path p) throws IOException {
            try {
                return key != null && key.equals(Files.readAttributes(p, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS).fileKey()) && channel.size() >= queuedTo;
            } catch (NoSuchFileException e) {
                return false;
            }
        }

        /** Queues the whole chunks below size not queued yet. */
        int queueWhole(Ingest ingest, Path p, long size) {
            int n = 0;
            while (queuedTo + Ingest.CHUNK_SIZE <= size) {
                queue(ingest, p, Ingest.CHUNK_SIZE);
                n++;
            }
            return n;
        }

        /** Queues everything up to size, the last chunk short. */
        void queueRest(Ingest ingest, Path p, long size) {
            List<String> sameSize = queuedTo == 0 ? ingest.parentChunks(path, size) : null;
            while (queuedTo < size) {
                int len = (int) Math.min(Ingest.CHUNK_SIZE, size - queuedTo);
                if (sameSize != null) {
                    long at = queuedTo;
                    puts.add(ingest.submit(channel, p, at, len, sameSize.get((int) (at / Ingest.CHUNK_SIZE))));
                    queuedTo += len;
                } else {
                    queue(ingest, p, len);
                }
            }
        }

        private void queue(Ingest ingest, Path p, int len) {
            long at = queuedTo;
            puts.add(ingest.submit(channel, p, at, len, ingest.parentChunk(path, at / Ingest.CHUNK_SIZE)));
            queuedTo += len;
        }

        /** Cancels what is queued and closes the file. */
        void drop() {
            puts.forEach(f -> f.cancel(true));
            try {
                channel.close();
            } catch (IOException e) {
                LOG.log(Level.FINE, "closing " + path, e);
            }
        }
    }
}
