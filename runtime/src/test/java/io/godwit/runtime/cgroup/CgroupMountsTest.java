package io.godwit.runtime.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CgroupMountsTest {

    @Test
    void hybridWithCoMountedCpuAndNamedHierarchy() {
        CgroupMounts m = CgroupMounts.parse(List.of(
                "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
                "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
                "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
                "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd",
                "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw"));
        assertEquals(List.of("cpu,cpuacct", "memory", "name=systemd"),
                m.v1().stream().map(CgroupMounts.V1Hierarchy::name).toList());
        assertTrue(m.v1().get(0).has("cpuacct"));
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct"), m.v1().get(0).mountPoint());
        assertEquals(Path.of("/sys/fs/cgroup/unified"), m.unified().orElseThrow());
        assertFalse(m.pureV2());
    }

    @Test
    void pureV2AndEscapedMountPoints() {
        CgroupMounts m = CgroupMounts.parse(List.of(
                "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate",
                "50 23 0:40 / /mnt/with\\040space rw - cgroup cgroup rw,pids"));
        assertTrue(m.pureV2());
        assertEquals(Path.of("/mnt/with space"), m.v1().get(0).mountPoint());
    }
}
