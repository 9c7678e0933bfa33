package io.godwit.migrator.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Mark and sweep: a chunk lives while some checkpoint directory's chunks.json names it, whether
 * that checkpoint is complete, damaged and kept for a person, or still being written (the store's
 * lock keeps writers out while this runs). Every other chunk of the backend (disk or S3), and every
 * temp file a killed write left, is removed. There are no counts to keep right: a GC killed half-way has only
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
        List<ChunkBackend.Entry> dead = new ArrayList<>();
        for (ChunkBackend.Entry e : store.backend().list()) {
            if (e.leftover() || !live.contains(e.name())) {
                dead.add(e);
                bytes += e.size();
                if (e.leftover()) {
                    temps++;
                } else {
                    removed++;
                }
            }
        }
        store.backend().delete(dead);
        return new GcResult(live.size(), removed, bytes, temps);
    }
}
