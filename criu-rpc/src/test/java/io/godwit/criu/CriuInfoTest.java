package io.godwit.criu;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** One-shot requests against the real CRIU 4.1.1 on this kernel. */
class CriuInfoTest {
    private final CriuClient criu = HostCriu.client();

    @Test
    void versionIsCriu4() throws Exception {
        CriuVersion v = criu.version();
        assertEquals(4, v.major(), v.toString());
        assertTrue(v.atLeast(4, 1, 0), v.toString());
    }

    @Test
    void featuresReflectThisKernel() throws Exception {
        CriuFeatures f = criu.features();
        assertFalse(f.memTrack(), "soft-dirty is off on this kernel");
        assertTrue(f.lazyPages(), "userfaultfd is available");
        assertTrue(f.pidfdStore(), "pidfd_store is available");
    }

    @Test
    void checkAndCpuinfo() throws Exception {
        Path dir = TestContainer.tempDir();
        try {
            criu.check(dir);
            assertTrue(Files.exists(dir.resolve("check.log")));
            criu.cpuinfoDump(dir);
            assertTrue(Files.size(dir.resolve("cpuinfo.img")) > 0);
            criu.cpuinfoCheck(dir);
        } finally {
            TestContainer.deleteTree(dir);
        }
    }

    @Test
    void missingBinaryFailsWithErrno() {
        CriuException e = assertThrows(CriuException.class, () -> new CriuClient(Path.of("/nonexistent/criu")).version());
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        assertTrue(e.getMessage().contains("VERSION"), e.getMessage());
    }

    @Test
    void manyConcurrentVersionCalls() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<CriuVersion>>();
            for (int i = 0; i < 8; i++) futures.add(pool.submit(criu::version));
            for (var f : futures) assertEquals(4, f.get().major());
        } finally {
            pool.shutdownNow();
        }
    }
}
