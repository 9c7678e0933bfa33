package io.godwit.migrator.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Mark and sweep: a chunk lives while some checkpoint directory's chunks.json names it, whether
 * that checkpoint is complete, damaged and kept for a person, or still being written (the store's
 * lock keeps writers out while this runs). Everything else under chunks/, and every temp file a
 * killed write left, is removed. There are no counts to keep right: a GC killed half-way has only
 * removed chunks nobody named, and the next one (at every start, after every deletion) finishes.
 * A chunks.json that cannot be read stops the sweep: its chunks cannot be told apart from garbage.
 */
final class StoreGc {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StoreGc() {
    }

    static GcResult collect(ChunkStore store, Path checkpointsDir) throws IOException {
        Set<String> live = new HashSet<>();
        if (Files.isDirectory(checkpointsDir)) {
            try (Stream<Path> dirs = Files.list(checkpointsDir)) {
                for (Path d : dirs.filter(Files::isDirectory).toList()) {
                    Path list = d.resolve(StoreManifest.FILE);
                    if (Files.isRegularFile(list)) {
                        StoreManifest m;
                        try {
                            m = JSON.readValue(list.toFile(), StoreManifest.class);
                        } catch (IOException e) {
                            throw new IOException("store GC stopped: " + list + " is unreadable (" + e.getMessage()
                                    + "), so no chunk can be proven unused", e);
                        }
                        m.files().forEach(f -> live.addAll(f.chunks()));
                    }
                }
            }
        }
        long removed = 0, bytes = 0, temps = 0;
        List<Path> shards;
        try (Stream<Path> s = Files.list(store.dir())) {
            shards = s.filter(Files::isDirectory).toList();
        }
        for (Path shard : shards) {
            List<Path> chunks;
            try (Stream<Path> s = Files.list(shard)) {
                chunks = s.toList();
            }
            for (Path c : chunks) {
                String name = c.getFileName().toString();
                boolean temp = name.contains(ChunkStore.TEMP_MARK);
                if (temp || !live.contains(name)) {
                    long size = Files.size(c);
                    TestPause.step();
                    if (Files.deleteIfExists(c)) {
                        bytes += size;
                        if (temp) {
                            temps++;
                        } else {
                            removed++;
                        }
                    }
                }
            }
        }
        return new GcResult(live.size(), removed, bytes, temps);
    }
}
