package io.godwit.migrator.checkpoint;

import io.godwit.criu.CriuClient;
import io.godwit.criu.CriuException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This host's cpuinfo.img (CRIU's CPUINFO_DUMP), asked of CRIU once per daemon and then written
 * from memory into every checkpoint: the CPU does not change under a running daemon, and each ask
 * cost a criu process start (a few hundred milliseconds on a loaded host) inside every checkpoint.
 */
final class CpuInfoImage {
    static final String FILE = "cpuinfo.img";

    private final CriuClient criu;
    private volatile byte[] bytes;

    CpuInfoImage(CriuClient criu) {
        this.criu = criu;
    }

    /** Writes cpuinfo.img into a checkpoint's images directory. */
    void writeInto(Path images) throws IOException, CriuException {
        byte[] b = bytes;
        if (b == null) {
            criu.cpuinfoDump(images); // the first one: CRIU writes it, we keep a copy
            bytes = Files.readAllBytes(images.resolve(FILE));
            return;
        }
        Files.write(images.resolve(FILE), b);
    }
}
