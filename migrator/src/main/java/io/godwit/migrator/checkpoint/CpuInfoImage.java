package io.godwit.migrator.checkpoint;

import io.godwit.criu.CriuClient;
import io.godwit.criu.CriuException;
import io.godwit.criu.CriuVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This host's cpuinfo.img (CRIU's CPUINFO_DUMP), asked of CRIU once per daemon and then written
 * from memory into every checkpoint: the CPU does not change under a running daemon, and each ask
 * cost a criu process start (a few hundred milliseconds on a loaded host) inside every checkpoint.
 * Asked again when CRIU's version changes (its image format might).
 */
final class CpuInfoImage {
    static final String FILE = "cpuinfo.img";

    private final CriuClient criu;
    private record Known(CriuVersion version, byte[] bytes) {
    }

    private volatile Known known;

    CpuInfoImage(CriuClient criu) {
        this.criu = criu;
    }

    /** Writes cpuinfo.img into a checkpoint's images directory. */
    void writeInto(Path images, CriuVersion version) throws IOException, CriuException {
        Known k = known;
        if (k == null || !k.version().equals(version)) {
            criu.cpuinfoDump(images); // CRIU writes it, we keep a copy
            known = new Known(version, Files.readAllBytes(images.resolve(FILE)));
            return;
        }
        Files.write(images.resolve(FILE), k.bytes());
    }
}
