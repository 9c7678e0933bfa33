package io.godwit.migrator.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Chunks on the daemon's disk: {@code ROOT/store/chunks/AB/NAME}, each written to a temp file and
 * renamed, so a chunk file is whole or absent whatever kills the daemon; a temp file left by a
 * killed write is a leftover that GC removes.
 */
final class FileChunks implements ChunkBackend {
    static final String TEMP_MARK = ".tmp-";

    private final Path dir;

    FileChunks(Path dir) throws IOException {
        this.dir = io.godwit.runtime.PrivateFiles.directory(dir);
    }

    Path dir() {
        return dir;
    }

    Path pathOf(String name) {
        ChunkBackend.checkName(name);
        return dir.resolve(name.substring(0, 2)).resolve(name);
    }

    @Override
    public String describe() {
        return dir.toString();
    }

    /**
     * Four per core: hashing is CPU work, but reading thousands of 64 KiB chunk files (a restore whose
     * chunks left the page cache) and creating them waits on the disk, and more requests in flight
     * overlap those waits.
     */
    @Override
    public int parallelism() {
        return 4 * Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    @Override
    public boolean cheapReads() {
        return true;
    }

    @Override
    public boolean contains(String name) {
        return Files.isRegularFile(pathOf(name));
    }

    @Override
    public void put(String name, byte[] body) throws IOException {
        Path target = pathOf(name);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(name + TEMP_MARK + UUID.randomUUID().toString().substring(0, 8));
        // one open: created 0600, written, closed (no second open to write what createFile made)
        try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                io.godwit.runtime.PrivateFiles.FILE)) {
            ByteBuffer b = ByteBuffer.wrap(body);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
        TestPause.step();
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException raced) {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public byte[] get(String name) throws IOException {
        try {
            return Files.readAllBytes(pathOf(name));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public List<Entry> list() throws IOException {
        List<Entry> out = new ArrayList<>();
        List<Path> shards;
        try (Stream<Path> s = Files.list(dir)) {
            shards = s.filter(Files::isDirectory).toList();
        }
        for (Path shard : shards) {
            try (Stream<Path> s = Files.list(shard)) {
                for (Path c : s.toList()) {
                    try {
                        String name = c.getFileName().toString();
                        out.add(new Entry(name, Files.size(c), name.contains(TEMP_MARK)));
                    } catch (NoSuchFileException gone) {
                        // a temp file renamed or removed while we looked
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void delete(List<Entry> entries) throws IOException {
        for (Entry e : entries) {
            TestPause.step();
            String name = e.name(); // from list(): a file name in its shard, never a path
            if (name.length() < 2 || name.contains("/")) {
                throw new IllegalArgumentException("not a chunk file name: " + name);
            }
            Files.deleteIfExists(dir.resolve(name.substring(0, 2)).resolve(name));
        }
    }
}
