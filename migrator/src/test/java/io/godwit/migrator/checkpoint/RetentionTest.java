package io.godwit.migrator.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.catalog.CheckpointRecord;
import io.godwit.migrator.catalog.CheckpointRecord.MadeBy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `checkpoint schedule --keep N` prunes what its schedule made, never a checkpoint made by hand. */
class RetentionTest {
    @TempDir
    Path dir;

    private static CheckpointRecord row(String id, int minute, MadeBy by) {
        return new CheckpointRecord(id, "job", Instant.parse("2030-01-01T00:00:00Z").plusSeconds(60L * minute),
                CheckpointRecord.State.COMPLETE, 1, true, "4.1.1", "6.1", by);
    }

    @Test
    void scheduleRetentionKeepsCheckpointsMadeByHand() throws Exception {
        try (Catalog catalog = Catalog.open(dir.resolve("catalog.db"))) {
            CheckpointService service = new CheckpointService(null, null, catalog, dir.resolve("checkpoints"),
                    dir.resolve("tmp"));
            List<CheckpointRecord> rows = List.of(row("hand-old", 0, MadeBy.HAND), row("sched-1", 1, MadeBy.SCHEDULE),
                    row("sched-2", 2, MadeBy.SCHEDULE), row("hand-new", 3, MadeBy.HAND),
                    row("sched-3", 4, MadeBy.SCHEDULE), row("sched-4", 5, MadeBy.SCHEDULE));
            for (CheckpointRecord r : rows) {
                catalog.insertCheckpoint(r);
                Files.createDirectories(service.dirOf(r.id()).resolve("images"));
            }

            assertEquals(2, service.prune("job", 2));

            List<String> left = catalog.checkpointsOf("job").stream().map(CheckpointRecord::id).toList();
            assertEquals(List.of("sched-4", "sched-3", "hand-new", "hand-old"), left);
            assertTrue(Files.isDirectory(service.dirOf("hand-old")), "a checkpoint made by hand stays on disk");
            assertTrue(Files.notExists(service.dirOf("sched-1")));
            assertEquals(MadeBy.SCHEDULE, catalog.checkpoint("sched-4").orElseThrow().madeBy());
        }
    }

    @Test
    void aCatalogOfAnOlderDaemonCountsItsCheckpointsAsMadeByHand() throws Exception {
        Path file = dir.resolve("old.db");
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
                var s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE checkpoints (id TEXT PRIMARY KEY, container TEXT NOT NULL, created_at TEXT NOT NULL,
                      state TEXT NOT NULL, size_bytes INTEGER NOT NULL DEFAULT 0, left_running INTEGER NOT NULL,
                      criu_version TEXT, kernel TEXT)""");
            s.execute("INSERT INTO checkpoints VALUES ('old-1', 'job', '2030-01-01T00:00:00Z', 'COMPLETE', 1, 1, '4.1', 'k')");
        }
        try (Catalog catalog = Catalog.open(file)) {
            assertEquals(MadeBy.HAND, catalog.checkpoint("old-1").orElseThrow().madeBy());
        }
    }
}
