package io.godwit.migrator.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.godwit.migrator.files.AtomicWrite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Logger;

/**
 * The content-addressed store of checkpoint images under ROOT/store: each checkpoint keeps, in
 * its own directory, a chunks.json that lists its image files as chunks, and the chunks live
 * here once however many checkpoints share them. See docs/STORE.md.
 */
public final class CheckpointStore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CheckpointStore.class.getName());
    private static final String MODE_FILE = "store.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** store.json: whether the store's chunks are encrypted (fixed once it holds any). */
    record Mode(int format, boolean encrypted) {
    }

    private final Path dir;
    private final StoreSettings settings;
    private final ChunkStore chunks;
    private final ExecutorService workers;
    private final Trash trash;
    /** Each container's newest ingested chunk list (this run only): the next generation compares against it. */
    private final java.util.Map<String, StoreManifest> previous = new java.util.concurrent.ConcurrentHashMap<>();
    /** Writers (a dump's ingest until its chunks.json is written, an import) share it; GC holds it alone. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    private CheckpointStore(Path dir, StoreSettings settings, ChunkStore chunks) throws IOException {
        this.dir = dir;
        this.trash = new Trash(dir.resolve("trash"));
        this.settings = settings;
        this.chunks = chunks;
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        this.workers = Executors.newFixedThreadPool(Math.max(cores, chunks.backend().parallelism()), r -> {
            Thread t = new Thread(r, "store-worker");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens (or makes) the store in dir. An encrypted store without the key file, a key that is not
     * the store's, or a key given for a store that already holds plain chunks is refused.
     */
    public static CheckpointStore open(Path dir, StoreSettings settings) throws IOException {
        io.godwit.runtime.PrivateFiles.directory(dir);
        ChunkBackend backend = backend(dir, settings);
        try {
            return open(dir, settings, backend);
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /** Chunks in the S3 bucket of the settings, or else under dir/chunks; an S3 store that does not answer is refused. */
    private static ChunkBackend backend(Path dir, StoreSettings settings) throws IOException {
        if (settings.s3() == null) {
            return new FileChunks(dir.resolve("chunks"));
        }
        try {
            return S3Chunks.open(settings.s3());
        } catch (IOException e) {
            throw new StoreUnusableException(e.getMessage());
        }
    }

    private static CheckpointStore open(Path dir, StoreSettings settings, ChunkBackend backend) throws IOException {
        boolean wantEncrypted = settings.keyFile() != null;
        Path modeFile = dir.resolve(MODE_FILE);
        Mode mode = Files.isRegularFile(modeFile) ? JSON.readValue(modeFile.toFile(), Mode.class) : null;
        if (mode != null && mode.encrypted() && !wantEncrypted) {
            throw new StoreUnusableException("the checkpoint store " + dir + " is encrypted: give its key file as"
                    + " store.keyFile in the settings; without it no checkpoint in it can be read");
        }
        if (mode != null && !mode.encrypted() && wantEncrypted && !backend.list().isEmpty()) {
            throw new StoreUnusableException("the checkpoint store " + backend.describe() + " holds unencrypted chunks: a key"
                    + " cannot be added to it (delete its checkpoints first, or use another root)");
        }
        if (mode == null || mode.encrypted() != wantEncrypted) {
            AtomicWrite.write(modeFile, JSON.writeValueAsBytes(new Mode(1, wantEncrypted)));
        }
        ChunkNamer namer = ChunkNamer.sha256();
        ChunkSeal seal = ChunkSeal.NONE;
        if (wantEncrypted) {
            StoreKeys.DataKey key;
            try {
                key = StoreKeys.open(dir, StoreKeys.readOperatorKey(settings.keyFile()), settings.keyFile());
            } catch (IOException e) {
                throw new StoreUnusableException(e.getMessage());
            }
            namer = ChunkNamer.hmac(key.naming());
            seal = ChunkSeal.aesGcm(key.seal());
        }
        LOG.info("store: chunks in " + backend.describe() + (wantEncrypted ? ", encrypted" : "") + ", codec "
                + settings.codec().word() + (settings.enabled() ? "" : " (new checkpoints are full copies: store.enabled is off)"));
        return new CheckpointStore(dir, settings, new ChunkStore(backend, namer, seal, settings.codec()));
    }

    /** Whether new checkpoints go into the store (else they stay full copies, as before). */
    public boolean enabled() {
        return settings.enabled();
    }

    public boolean encrypted() {
        return chunks.namer().scheme().startsWith("hmac");
    }

    public Path dir() {
        return dir;
    }

    /** Held by whoever writes chunks that no chunks.json names yet; GC waits for it. Close to release. */
    public Hold holdForWriting() {
        Lock l = lock.readLock();
        l.lock();
        return l::unlock;
    }

    /** A held lock, released by close(). */
    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Puts every file under {@code imagesDir} into the store and writes the checkpoint's chunks.json
     * (atomically) into {@code checkpointDir}; file paths are "images/..." there. Hold
     * {@link #holdForWriting()} around it.
     */
    public IngestResult ingest(Path imagesDir, Path checkpointDir) throws IOException, InterruptedException {
        return ingest(imagesDir, checkpointDir, null);
    }

    /**
     * As {@link #ingest(Path, Path)}, for a generation of {@code container}: each chunk is first compared
     * with the chunk at the same place of the container's previous generation (kept in memory since it
     * was ingested), and bytes found equal keep that chunk's name without being hashed. See Ingest.
     */
    public IngestResult ingest(Path imagesDir, Path checkpointDir, String container) throws IOException, InterruptedException {
        StoreManifest parent = container == null ? null : previous.get(container);
        IngestResult r = new Ingest(chunks, workers, parent).run(imagesDir, imagesDir.getFileName().toString());
        writeManifest(checkpointDir, r.manifest());
        if (container != null) {
            previous.put(container, r.manifest());
        }
        return r;
    }

    /**
     * As {@link #ingest(Path, Path, String)}, but begun before CRIU dumps into {@code imagesDir}: the
     * pages are stored as CRIU writes them (see FollowingIngest); {@link Following#finish} stores the
     * rest once the dump is over. Hold {@link #holdForWriting()} from before this until it is closed.
     */
    public Following follow(Path imagesDir, String container) {
        StoreManifest parent = container == null ? null : previous.get(container);
        return new Following(new FollowingIngest(new Ingest(chunks, workers, parent), imagesDir), container);
    }

    /** An ingest following a dump; close it (also after finish) to stop it. */
    public final class Following implements AutoCloseable {
        private final FollowingIngest ingest;
        private final String container;

        private Following(FollowingIngest ingest, String container) {
            this.ingest = ingest;
            this.container = container;
        }

        /** Stores what the dump left to store and writes chunks.json into {@code checkpointDir}, as ingest does. */
        public IngestResult finish(Path checkpointDir) throws IOException, InterruptedException {
            IngestResult r = ingest.finish();
            writeManifest(checkpointDir, r.manifest());
            if (container != null) {
                previous.put(container, r.manifest());
            }
            return r;
        }

        @Override
        public void close() {
            ingest.close();
        }
    }

    public static void writeManifest(Path checkpointDir, StoreManifest m) throws IOException {
        AtomicWrite.write(checkpointDir.resolve(StoreManifest.FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
    }

    /** The checkpoint's chunks.json, or null when it is a full copy (no chunks.json). */
    public static StoreManifest manifestOf(Path checkpointDir) throws IOException {
        Path f = checkpointDir.resolve(StoreManifest.FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            return JSON.readValue(f.toFile(), StoreManifest.class);
        } catch (IOException e) {
            throw new ChunkDamagedException("list " + StoreManifest.FILE, "is unreadable: " + e.getMessage());
        }
    }

    /**
     * Writes the checkpoint's image files into target (which must not exist), every chunk checked;
     * a missing chunk is refused before anything is written, and on any damage target is removed.
     */
    public void assemble(StoreManifest m, Path target) throws IOException, InterruptedException {
        checkScheme(m);
        new Assembly(chunks, workers).run(m, target);
    }

    /** Cheap check at start: are all the chunks there (their digests are checked when they are read)? */
    public void checkPresent(StoreManifest m) throws ChunkDamagedException {
        checkScheme(m);
        new Assembly(chunks, workers).checkPresent(m);
    }

    private void checkScheme(StoreManifest m) throws ChunkDamagedException {
        if (!m.naming().equals(chunks.namer().scheme())) {
            throw new ChunkDamagedException("list " + StoreManifest.FILE, "names its chunks by " + m.naming()
                    + ", this store by " + chunks.namer().scheme());
        }
    }

    /** Removes every chunk no checkpoint directory under checkpointsDir names; see StoreGc. */
    public GcResult collectGarbage(Path checkpointsDir) throws IOException {
        Lock l = lock.writeLock();
        l.lock();
        try {
            GcResult r = StoreGc.collect(chunks, checkpointsDir);
            if (r.removed() > 0 || r.tempFiles() > 0) {
                LOG.info("store: removed " + r.removed() + " unused chunks and " + r.tempFiles() + " temp files ("
                        + r.removedBytes() + " bytes), " + r.live() + " chunks in use");
            }
            return r;
        } finally {
            l.unlock();
        }
    }

    /** Writes the checkpoint's chunks (each once, verified, in clear) and its chunk list into an archive. */
    public void export(StoreManifest m, ArchiveWriter out) throws IOException {
        checkScheme(m);
        ArchiveChunks.export(chunks, m, out);
    }

    /** What an import brought: the manifest.json as it came, the chunk list in this store's names, the rootfs tar. */
    public record Imported(byte[] manifest, StoreManifest chunks, Path rootfsTar) {
    }

    /**
     * Reads an archive, verifying every chunk and the whole file, and puts its chunks into this store.
     * Hold {@link #holdForWriting()} until the imported checkpoint's chunks.json is written.
     */
    public Imported importArchive(java.io.InputStream in, Path scratch) throws IOException {
        ArchiveChunks.Imported r = ArchiveChunks.read(chunks, in, scratch);
        return new Imported(r.manifest(), r.chunks(), r.rootfsTar());
    }

    /**
     * Takes a directory the store is done with (a dump's images once ingested, an assembly after its
     * restore) out of the way now and removes it in the background; see Trash.
     */
    public void discard(Path directory) throws IOException {
        trash.discard(directory);
    }

    /** Bytes of chunk files on disk or in the bucket (what the store costs). */
    public long bytesOnDisk() throws IOException {
        return chunks.backend().list().stream().mapToLong(ChunkBackend.Entry::size).sum();
    }

    /** Where the chunks are: a directory, or s3://bucket/prefix at an endpoint. */
    public String chunksAt() {
        return chunks.backend().describe();
    }

    ChunkStore chunks() {
        return chunks;
    }

    @Override
    public void close() {
        workers.shutdownNow();
        trash.close();
        chunks.backend().close();
    }
}
