package io.godwit.migrator.checkpoint;

import io.godwit.criu.CriuClient;
import io.godwit.criu.CriuException;
import io.godwit.criu.CriuVersion;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * CRIU's version for a checkpoint's manifest, asked of CRIU again only when its binary changed (a
 * package upgrade under a running daemon): asking costs a criu process start, which every
 * checkpoint paid before its freeze. The binary is known by its file's inode, size and mtime.
 */
final class CriuVersionOnce {
    private record Known(List<Object> binary, CriuVersion version) {
    }

    private final CriuClient criu;
    private volatile Known known;

    CriuVersionOnce(CriuClient criu) {
        this.criu = criu;
    }

    CriuVersion get() throws CriuException {
        List<Object> binary = identity();
        Known k = known;
        if (k != null && binary != null && k.binary().equals(binary)) {
            return k.version();
        }
        CriuVersion v = criu.version();
        known = new Known(binary, v);
        return v;
    }

    /** The binary's identity, or null when it cannot be found (then CRIU is always asked). */
    private List<Object> identity() {
        Path bin = criu.binary();
        if (bin.getParent() == null) { // a bare name: found on PATH, as starting it finds it
            String path = System.getenv("PATH");
            bin = null;
            for (String d : path == null ? new String[0] : path.split(File.pathSeparator)) {
                Path p = Path.of(d.isEmpty() ? "." : d).resolve(criu.binary());
                if (Files.isExecutable(p)) {
                    bin = p;
                    break;
                }
            }
            if (bin == null) {
                return null;
            }
        }
        try {
            BasicFileAttributes a = Files.readAttributes(bin.toRealPath(), BasicFileAttributes.class);
            return List.of(bin.toRealPath().toString(), String.valueOf(a.fileKey()), a.size(), a.lastModifiedTime());
        } catch (IOException e) {
            return null;
        }
    }
}
