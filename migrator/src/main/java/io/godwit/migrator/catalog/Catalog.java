package io.godwit.migrator.catalog;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The daemon's memory (catalog.db): checkpoints, schedules, operations and remotes. SQLite in WAL
 * mode with synchronous=FULL, so that a row the daemon wrote is there after a crash. Container
 * state itself lives with each container (the runtime's state.json): the catalog never duplicates it.
 */
public final class Catalog implements AutoCloseable {
    private final Connection db;

    private Catalog(Connection db) {
        this.db = db;
    }

    /** The file is a database, but SQLite's own check finds it damaged. */
    public static final class DamagedCatalogException extends SQLException {
        DamagedCatalogException(String message) {
            super(message);
        }
    }

    /** Opens (or makes) the catalog; see {@link CatalogOpener} for what happens to an unreadable one. */
    public static Catalog open(Path file) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try {
            prepare(c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return new Catalog(c);
    }

    private static void prepare(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
                String verdict = rs.next() ? rs.getString(1) : "no answer";
                if (!"ok".equals(verdict)) {
                    throw new DamagedCatalogException("SQLite's quick_check says: " + verdict);
                }
            }
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            s.execute("PRAGMA busy_timeout=5000");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS checkpoints (
                      id TEXT PRIMARY KEY, container TEXT NOT NULL, created_at TEXT NOT NULL,
                      state TEXT NOT NULL, size_bytes INTEGER NOT NULL DEFAULT 0,
                      left_running INTEGER NOT NULL, criu_version TEXT, kernel TEXT,
                      made_by TEXT NOT NULL DEFAULT 'HAND')""");
            addColumnIfMissing(s, "checkpoints", "made_by", "TEXT NOT NULL DEFAULT 'HAND'");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS schedules (
                      container TEXT PRIMARY KEY, every_seconds INTEGER NOT NULL, keep INTEGER NOT NULL,
                      last_run TEXT, last_error TEXT)""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS operations (
                      id TEXT PRIMARY KEY, kind TEXT NOT NULL, target TEXT NOT NULL, status TEXT NOT NULL,
                      created_at TEXT NOT NULL, finished_at TEXT, error TEXT, result_json TEXT)""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS failover_policies (
                      container TEXT PRIMARY KEY, policy TEXT NOT NULL)""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS remotes (
                      name TEXT PRIMARY KEY, address TEXT NOT NULL, fingerprint TEXT NOT NULL)""");
        }
    }

    /** Catalogs made by an older daemon lack the newer columns; their rows get the column's default. */
    private static void addColumnIfMissing(Statement s, String table, String column, String definition)
            throws SQLException {
        try (ResultSet rs = s.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                if (rs.getString("name").equals(column)) {
                    return;
                }
            }
        }
        s.execute("ALTER TABLE " + table + " ADD COLUMN " + column + " " + definition);
    }

    // --- checkpoints ---------------------------------------------------------------------

    public synchronized void insertCheckpoint(CheckpointRecord r) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(
                "INSERT INTO checkpoints(id, container, created_at, state, size_bytes, left_running, criu_version, kernel,"
                        + " made_by) VALUES (?,?,?,?,?,?,?,?,?)")) {
            p.setString(1, r.id());
            p.setString(2, r.container());
            p.setString(3, r.createdAt().toString());
            p.setString(4, r.state().name());
            p.setLong(5, r.sizeBytes());
            p.setInt(6, r.leftRunning() ? 1 : 0);
            p.setString(7, r.criuVersion());
            p.setString(8, r.kernel());
            p.setString(9, r.madeBy().name());
            p.executeUpdate();
        }
    }

    public synchronized void completeCheckpoint(String id, long sizeBytes) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(
                "UPDATE checkpoints SET state = ?, size_bytes = ? WHERE id = ?")) {
            p.setString(1, CheckpointRecord.State.COMPLETE.name());
            p.setLong(2, sizeBytes);
            p.setString(3, id);
            p.executeUpdate();
        }
    }

    public synchronized void deleteCheckpoint(String id) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("DELETE FROM checkpoints WHERE id = ?")) {
            p.setString(1, id);
            p.executeUpdate();
        }
    }

    public synchronized Optional<CheckpointRecord> checkpoint(String id) throws SQLException {
        List<CheckpointRecord> found = queryCheckpoints("WHERE id = ?", id);
        return found.stream().findFirst();
    }

    /** Newest first. */
    public synchronized List<CheckpointRecord> checkpointsOf(String container) throws SQLException {
        return queryCheckpoints("WHERE container = ? ORDER BY created_at DESC, id DESC", container);
    }

    public synchronized List<CheckpointRecord> allCheckpoints() throws SQLException {
        return queryCheckpoints("ORDER BY created_at DESC", null);
    }

    private List<CheckpointRecord> queryCheckpoints(String where, String arg) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(
                "SELECT id, container, created_at, state, size_bytes, left_running, criu_version, kernel, made_by"
                        + " FROM checkpoints "
                        + where)) {
            if (arg != null) {
                p.setString(1, arg);
            }
            List<CheckpointRecord> out = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new CheckpointRecord(rs.getString(1), rs.getString(2), Instant.parse(rs.getString(3)),
                            CheckpointRecord.State.valueOf(rs.getString(4)), rs.getLong(5), rs.getInt(6) == 1,
                            rs.getString(7), rs.getString(8), CheckpointRecord.MadeBy.valueOf(rs.getString(9))));
                }
            }
            return out;
        }
    }

    // --- failover policies (what the fleet does with a container when its member dies) ---

    public synchronized void putFailoverPolicy(String container, String policy) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(
                "INSERT INTO failover_policies(container, policy) VALUES (?,?)"
                        + " ON CONFLICT(container) DO UPDATE SET policy = excluded.policy")) {
            p.setString(1, container);
            p.setString(2, policy);
            p.executeUpdate();
        }
    }

    public synchronized boolean deleteFailoverPolicy(String container) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("DELETE FROM failover_policies WHERE container = ?")) {
            p.setString(1, container);
            return p.executeUpdate() > 0;
        }
    }

    /** Container name to policy, for every container that has one. */
    public synchronized java.util.Map<String, String> failoverPolicies() throws SQLException {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        try (PreparedStatement p = db.prepareStatement("SELECT container, policy FROM failover_policies");
                ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    // --- schedules -----------------------------------------------------------------------

    public synchronized void putSchedule(ScheduleRecord s) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(
                "INSERT INTO schedules(container, every_seconds, keep, last_run, last_error) VALUES (?,?,?,?,?)"
                        + " ON CONFLICT(container) DO UPDATE SET every_seconds = excluded.every_seconds,"
                        + " keep = excluded.keep, last_run = excluded.last_run, last_error = excluded.last_error")) {
            p.setString(1, s.container());
            p.setLong(2, s.everySeconds());
            p.setInt(3, s.keep());
            p.setString(4, s.lastRun() == null ? null : s.lastRun().toString());
            p.setString(5, s.lastError());
            p.executeUpdate();
        }
    }

    /** Records a run; a schedule deleted meanwhile stays deleted. */
    public synchronized void recordScheduleRun(String container, Instant lastRun, String lastError) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(
                "UPDATE schedules SET last_run = ?, last_error = ? WHERE container = ?")) {
            p.setString(1, lastRun.toString());
            p.setString(2, lastError);
            p.setString(3, container);
            p.executeUpdate();
        }
    }

    public synchronized boolean deleteSchedule(String container) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("DELETE FROM schedules WHERE container = ?")) {
            p.setString(1, container);
            return p.executeUpdate() > 0;
        }
    }

    public synchronized List<ScheduleRecord> schedules() throws SQLException {
        try (PreparedStatement p = db.prepareStatement(
                "SELECT container, every_seconds, keep, last_run, last_error FROM schedules ORDER BY container");
                ResultSet rs = p.executeQuery()) {
            List<ScheduleRecord> out = new ArrayList<>();
            while (rs.next()) {
                String last = rs.getString(4);
                out.add(new ScheduleRecord(rs.getString(1), rs.getLong(2), rs.getInt(3),
                        last == null ? null : Instant.parse(last), rs.getString(5)));
            }
            return out;
        }
    }

    // --- operations ----------------------------------------------------------------------

    public synchronized void saveOperation(OperationRecord o) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(
                "INSERT INTO operations(id, kind, target, status, created_at, finished_at, error, result_json)"
                        + " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET status = excluded.status,"
                        + " finished_at = excluded.finished_at, error = excluded.error, result_json = excluded.result_json")) {
            p.setString(1, o.id());
            p.setString(2, o.kind());
            p.setString(3, o.target());
            p.setString(4, o.status());
            p.setString(5, o.createdAt().toString());
            p.setString(6, o.finishedAt() == null ? null : o.finishedAt().toString());
            p.setString(7, o.error());
            p.setString(8, o.resultJson());
            p.executeUpdate();
        }
    }

    public synchronized List<OperationRecord> operations(int limit) throws SQLException {
        return queryOperations(" ORDER BY created_at DESC LIMIT ?", limit);
    }

    public synchronized Optional<OperationRecord> operation(String id) throws SQLException {
        return queryOperations(" WHERE id = ?", id).stream().findFirst();
    }

    /**
     * Retention: forgets finished operations that ended before {@code before}, and all but the
     * newest {@code keep} finished ones. Running ones are never forgotten.
     */
    public synchronized int forgetOperations(Instant before, int keep) throws SQLException {
        int n;
        try (PreparedStatement p = db.prepareStatement(
                "DELETE FROM operations WHERE status != 'running' AND finished_at IS NOT NULL AND finished_at < ?")) {
            p.setString(1, before.toString());
            n = p.executeUpdate();
        }
        try (PreparedStatement p = db.prepareStatement(
                "DELETE FROM operations WHERE status != 'running' AND id NOT IN (SELECT id FROM operations"
                        + " WHERE status != 'running' ORDER BY created_at DESC LIMIT ?)")) {
            p.setInt(1, keep);
            n += p.executeUpdate();
        }
        return n;
    }

    private List<OperationRecord> queryOperations(String tail, Object arg) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(
                "SELECT id, kind, target, status, created_at, finished_at, error, result_json FROM operations" + tail)) {
            p.setObject(1, arg);
            List<OperationRecord> out = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    String fin = rs.getString(6);
                    out.add(new OperationRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            Instant.parse(rs.getString(5)), fin == null ? null : Instant.parse(fin), rs.getString(7),
                            rs.getString(8)));
                }
            }
            return out;
        }
    }

    /**
     * Operations that were running when the daemon died can never finish: they become
     * "interrupted" (what they had done is not known: look at their container).
     */
    public synchronized int failInterruptedOperations(Instant now) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(
                "UPDATE operations SET status = 'interrupted', finished_at = ?,"
                        + " error = 'interrupted: the daemon stopped while it ran' WHERE status = 'running'")) {
            p.setString(1, now.toString());
            return p.executeUpdate();
        }
    }

    // --- remotes -------------------------------------------------------------------------

    public synchronized void putRemote(RemoteRecord r) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(
                "INSERT INTO remotes(name, address, fingerprint) VALUES (?,?,?) ON CONFLICT(name) DO UPDATE"
                        + " SET address = excluded.address, fingerprint = excluded.fingerprint")) {
            p.setString(1, r.name());
            p.setString(2, r.address());
            p.setString(3, r.fingerprint());
            p.executeUpdate();
        }
    }

    public synchronized boolean deleteRemote(String name) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("DELETE FROM remotes WHERE name = ?")) {
            p.setString(1, name);
            return p.executeUpdate() > 0;
        }
    }

    public synchronized List<RemoteRecord> remotes() throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT name, address, fingerprint FROM remotes ORDER BY name");
                ResultSet rs = p.executeQuery()) {
            List<RemoteRecord> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new RemoteRecord(rs.getString(1), rs.getString(2), rs.getString(3)));
            }
            return out;
        }
    }

    @Override
    public synchronized void close() throws SQLException {
        db.close();
    }
}
