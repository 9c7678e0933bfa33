package io.godwit.migrator.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Logger;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Opens catalog.db at start. A catalog that is not a database or is corrupt (random bytes, a torn
 * copy) is never deleted nor silently replaced: it is moved aside, with its -wal and -shm, under a
 * name that says when and why, and a fresh catalog is made, which the start-up then fills from the
 * checkpoints' manifests. Any other failure (permissions, a full disk) stops the start with the reason.
 */
public final class CatalogOpener {
    private static final Logger LOG = Logger.getLogger(CatalogOpener.class.getName());
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    /** The catalog, and where an unreadable predecessor was put (null when there was none). */
    public record Opened(Catalog catalog, Path setAside) {
    }

    /** A catalog that can be neither opened nor set aside: the daemon must not start. */
    public static final class UnusableCatalogException extends IOException {
        UnusableCatalogException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private CatalogOpener() {
    }

    public static Opened open(Path file) throws UnusableCatalogException {
        try {
            if (!Files.exists(file)) {
                // 0600 before SQLite makes it (its -wal and -shm take the database file's mode)
                Files.createFile(file, io.godwit.runtime.PrivateFiles.FILE);
            }
        } catch (IOException e) {
            throw new UnusableCatalogException("cannot make the catalog " + file + ": " + e.getMessage(), e);
        }
        try {
            return new Opened(Catalog.open(file), null);
        } catch (SQLException e) {
            if (!unreadable(e)) {
                throw new UnusableCatalogException("cannot open the catalog " + file + ": " + e.getMessage(), e);
            }
            Path aside = setAside(file, e);
            try {
                Files.createFile(file, io.godwit.runtime.PrivateFiles.FILE);
                return new Opened(Catalog.open(file), aside);
            } catch (SQLException | IOException again) {
                throw new UnusableCatalogException("cannot make a new catalog " + file + " after setting the unreadable one aside: "
                        + again.getMessage(), again);
            }
        }
    }

    /** Not a database, or a damaged one: what moving it aside can cure (not a locked or read-only file). */
    static boolean unreadable(SQLException e) {
        if (e instanceof SQLiteException s) {
            int primary = s.getResultCode().code & 0xff; // extended codes carry the primary one in their low byte
            return primary == SQLiteErrorCode.SQLITE_NOTADB.code || primary == SQLiteErrorCode.SQLITE_CORRUPT.code;
        }
        return e instanceof Catalog.DamagedCatalogException;
    }

    private static Path setAside(Path file, SQLException why) throws UnusableCatalogException {
        Path aside = file.resolveSibling(file.getFileName() + ".unreadable-" + STAMP.format(Instant.now()));
        try {
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Path from = file.resolveSibling(file.getFileName() + suffix);
                if (Files.exists(from)) {
                    Files.move(from, aside.resolveSibling(aside.getFileName() + suffix));
                }
            }
        } catch (IOException e) {
            throw new UnusableCatalogException("the catalog " + file + " cannot be read (" + why.getMessage()
                    + ") and cannot be moved aside: " + e.getMessage(), e);
        }
        LOG.severe("the catalog " + file + " cannot be read (" + why.getMessage() + "): moved aside to " + aside
                + ", not deleted. A new catalog is made; checkpoints are taken back from their manifests, but the"
                + " old catalog's schedules, remotes and operation history are not: look at " + aside);
        return aside;
    }
}
