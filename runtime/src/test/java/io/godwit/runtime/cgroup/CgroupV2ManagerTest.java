package io.godwit.runtime.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The v2 code against a real cgroup2 mount: /sys/fs/cgroup on a pure v2 host, else a hybrid
 * host's unified mount. On a hybrid host the unified hierarchy has none of the resource
 * controllers (they are bound to v1), so the limit tests check what v2 core offers there:
 * directories, procs, freeze, kill and the clear error when a controller is missing.
 */
class CgroupV2ManagerTest {

    private CgroupTestSupport support;
    private Path root;
    private CgroupV2Manager manager;
    private Cgroup cgroup;

    @BeforeEach
    void setUp() throws IOException {
        CgroupMounts mounts = CgroupMounts.read();
        assumeTrue(mounts.unified().isPresent(), "no cgroup2 mount");
        root = mounts.unified().get();
        manager = new CgroupV2Manager(root, "godwit");
        support = new CgroupTestSupport();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (support != null) {
            support.close();
        }
        if (cgroup != null) {
            cgroup.destroy();
        }
    }

    private boolean has(String controller) throws IOException {
        return Files.readString(root.resolve("cgroup.controllers")).contains(controller);
    }

    @Test
    void createAddFreezeThawDestroy() throws Exception {
        cgroup = manager.create(CgroupTestSupport.uniqueName("v2"), ResourceLimits.NONE);
        Path dir = root.resolve("godwit").resolve(cgroup.name());
        assertTrue(Files.isDirectory(dir));
        assertEquals(Map.of("", "/godwit/" + cgroup.name()), cgroup.paths());
        assertEquals(dir.toString(), cgroup.freezerPath());

        Process sleeper = support.start(CgroupTestSupport.busybox().toString(), "sleep", "600");
        cgroup.addProcess((int) sleeper.pid());
        assertTrue(Files.readString(Path.of("/proc", Long.toString(sleeper.pid()), "cgroup"))
                .contains("0::/godwit/" + cgroup.name()));
        assertTrue(cgroup.stats().pids() >= 1);

        cgroup.freeze();
        assertTrue(cgroup.isFrozen());
        cgroup.thaw();
        assertFalse(cgroup.isFrozen());
        cgroup.freeze();

        cgroup.destroy();
        assertTrue(sleeper.waitFor(5, TimeUnit.SECONDS), "frozen straggler survived destroy");
        assertFalse(Files.exists(dir));
        cgroup.destroy();
        cgroup = null;
    }

    @Test
    void limitsNeedTheirControllers() throws Exception {
        cgroup = manager.create(CgroupTestSupport.uniqueName("v2"), ResourceLimits.NONE);
        Path dir = root.resolve("godwit").resolve(cgroup.name());
        ResourceLimits limits = new ResourceLimits(64L << 20, 500, 50);
        if (has("memory") && has("cpu") && has("pids")) {
            cgroup.applyLimits(limits);
            assertEquals(Long.toString(64L << 20), Files.readString(dir.resolve("memory.max")).trim());
            assertEquals("50000 100000", Files.readString(dir.resolve("cpu.max")).trim());
            assertEquals("50", Files.readString(dir.resolve("pids.max")).trim());
        } else {
            IOException e = assertThrows(IOException.class, () -> cgroup.applyLimits(limits));
            assertTrue(e.getMessage().contains("not enabled"), e.getMessage());
        }
    }
}
