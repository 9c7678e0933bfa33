package io.godwit.migrator.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Hashes CRIU's page images (pages-N.img, nearly all of a dump's bytes) while the dump writes them,
 * so that the manifest needs no second pass over memory that has just gone to disk. A thread follows
 * each pages file as it grows, hashing what is already there (still in the page cache); when the dump
 * is over, {@link #finish} reads only what is left of each file, and hashes the small image files
 * whole.
 *
 * <p>It relies on CRIU writing each pages file once, front to back (page_xfer appends the pages of one
 * task to its own pages-N.img). Should a file be replaced (another inode) or shrink, it is hashed again
 * from its start; should CRIU ever rewrite bytes already hashed, the manifest would not match and the
 * restore would refuse the checkpoint: never a wrong checkpoint taken as right.
 */
final class DumpHasher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DumpHasher.class.getName());
    private static final int BUFFER = 1 << 20;
    private static final long IDLE_MILLIS = 5;

    private final Path images;
    private final Map<Path, Followed> followed = new LinkedHashMap<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
    private final Thread thread;
    private volatile boolean stopping;
    private volatile IOException failure;

    private DumpHasher(Path images) {
        this.images = images;
        this.thread = Thread.ofPlatform().daemon().name("dump-hasher-" + images.getParent().getFileName())
                .unstarted(this::follow);
    }

    /** Starts following the pages files that appear in {@code images}; call before the dump starts. */
    static DumpHasher follow(Path images) {
        DumpHasher h = new DumpHasher(images);
        h.thread.start();
        return h;
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
        } catch (IOException e) {
            failure = e; // finish() hashes those files whole instead
        }
    }

    /** Hashes whatever the pages files gained since the last call; returns the bytes hashed. */
    private long catchUp() throws IOException {
        long done = 0;
        List<Path> pages;
        try (Stream<Path> s = Files.list(images)) {
            pages = s.filter(p -> p.getFileName().toString().startsWith("pages-")).sorted().toList();
        }
        for (Path p : pages) {
            Followed f = followed.get(p);
            if (f == null) {
                f = Followed.open(p);
                if (f == null) {
                    continue; // gone again (not a regular file): finish() sees what is there at the end
                }
                followed.put(p, f);
            }
            done += f.readOn(buffer);
        }
        return done;
    }

    /**
     * Stops following and returns a manifest entry ("images/NAME", relative to the checkpoint
     * directory, as {@link ManifestIo#hashTree} names them) for every regular file now in the images
     * directory, sorted by name, reading only the bytes not yet hashed.
     */
    List<ManifestFile> finish() throws IOException, InterruptedException {
        stop();
        if (failure != null) {
            LOG.log(Level.FINE, "following the dump failed; hashing its pages files whole", failure);
            closeAll();
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(images)) {
            entries = s.sorted().toList();
        }
        List<ManifestFile> out = new ArrayList<>();
        for (Path p : entries) {
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                // CRIU writes none, but whatever is there is listed as the full walk would list it
                out.addAll(ManifestIo.hashTree(images.getParent(), List.of(images.getParent().relativize(p).toString())));
                continue;
            }
            Followed f = followed.remove(p);
            if (f == null || !f.sameFile(p)) {
                if (f != null) {
                    f.close();
                }
                f = Followed.open(p);
                if (f == null) {
                    throw new IOException("image file " + p + " disappeared while its checkpoint was written");
                }
            }
            try {
                while (f.readOn(buffer) > 0) {
                    // to the end of the file
                }
                if (f.channel.size() != f.position) {
                    throw new IOException("image file " + p + " changed while its checkpoint was written");
                }
                out.add(new ManifestFile(images.getParent().relativize(p).toString(), f.position, f.hex()));
            } finally {
                f.close();
            }
        }
        return out;
    }

    private void stop() throws InterruptedException {
        stopping = true;
        thread.join();
    }

    private void closeAll() {
        followed.values().forEach(Followed::close);
        followed.clear();
    }

    /** Stops following (a failed dump); idempotent. */
    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeAll();
    }

    /** One file being hashed: its channel, its identity when opened, and how far it is hashed. */
    private static final class Followed {
        final FileChannel channel;
        final Object key;
        final MessageDigest digest;
        long position;

        private Followed(FileChannel channel, Object key) {
            this.channel = channel;
            this.key = key;
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        static Followed open(Path p) throws IOException {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!a.isRegularFile()) {
                    return null;
                }
                return new Followed(FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS), a.fileKey());
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        /** Whether the path still names the file that was opened (not one put in its place). */
        boolean sameFile(Path p) throws IOException {
            try {
                return key != null && key.equals(Files.readAttributes(p, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS).fileKey());
            } catch (NoSuchFileException e) {
                return false;
            }
        }

        /** Hashes from the position up to the file's present end; restarts from 0 if the file shrank. */
        long readOn(ByteBuffer buffer) throws IOException {
            long size = channel.size();
            if (size < position) {
                digest.reset();
                position = 0;
            }
            long done = 0;
            while (position < size) {
                buffer.clear();
                buffer.limit((int) Math.min(buffer.capacity(), size - position));
                int n = channel.read(buffer, position);
                if (n <= 0) {
                    break;
                }
                buffer.flip();
                digest.update(buffer);
                position += n;
                done += n;
            }
            return done;
        }

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.log(Level.FINE, "closing an image file", e);
            }
        }
    }
}
