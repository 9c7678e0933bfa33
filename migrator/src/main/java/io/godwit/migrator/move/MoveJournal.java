package io.godwit.migrator.move;

import io.godwit.migrator.api.Json;
import io.godwit.migrator.files.AtomicWrite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Outgoing moves, one small file each, written before the target first hears of the move and
 * removed once the move has ended either way. A daemon that dies mid-move finds them at start:
 * the target still holds the move (and the container's name), and a container frozen here may
 * have been restored there.
 */
final class MoveJournal {
    record Entry(String moveId, String container, String remote) {
    }

    private final Path dir;

    MoveJournal(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    void begin(Entry e) throws IOException {
        AtomicWrite.write(dir.resolve(e.moveId() + ".json"), Json.MAPPER.writeValueAsBytes(e));
    }

    void end(String moveId) throws IOException {
        Files.deleteIfExists(dir.resolve(moveId + ".json"));
    }

    List<Entry> unfinished() throws IOException {
        List<Entry> out = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                out.add(Json.MAPPER.readValue(f.toFile(), Entry.class));
            }
        }
        return out;
    }
}
