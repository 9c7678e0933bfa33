package io.godwit.runtime;

import static io.godwit.runtime.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.godwit.runtime.ContainerState.Status;
import io.godwit.runtime.cgroup.CgroupV2Manager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The device allow-list on cgroup v2, where it is an eBPF program the monitor loads and attaches to
 * the container's cgroup: a block device can be made (CAP_MKNOD, "b *:* m") but not opened, the
 * allowed nodes open, before and after a checkpoint and restore (CRIU does not restore cgroup BPF
 * programs: the runtime attaches it again). On a hybrid host this runs on the unified mount, where the
 * container's v1 devices cgroup is the test's own and allows everything: only the program can refuse.
 */
class DeviceAllowListV2Test {
    private static final String PROBE = "mknod /tmp/blk b 8 0 && echo mknod-ok; head -c 1 /tmp/blk 2>&1 >/dev/null;"
            + " rm -f /tmp/blk; head -c 4 /dev/urandom | wc -c; echo x > /dev/null && echo null-ok";
    private Fixture fx;
    private Path parent;

    private static Optional<Path> cgroup2Mount() throws Exception {
        Optional<Path> found = Optional.empty();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f[2].equals("cgroup2") && (found.isEmpty() || f[1].equals("/sys/fs/cgroup"))) {
                found = Optional.of(Path.of(f[1]));
            }
        }
        return found;
    }

    @BeforeEach
    void setUp() throws Exception {
        Optional<Path> root = cgroup2Mount();
        assumeTrue(root.isPresent(), "no cgroup2 mount");
        String parentName = Fixture.runName("godwit-rt") + "-dev";
        parent = root.get().resolve(parentName);
        fx = new Fixture(new CgroupV2Manager(root.get(), parentName));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (fx != null) {
            fx.close();
        }
        if (parent != null) {
            Files.deleteIfExists(parent); // empty now: the fixture removed the containers' cgroups
        }
    }

    private int programs(String name) throws Exception {
        Path dir = parent.resolve(name);
        return Integer.parseInt(HostCommand.run(List.of(MonitorBinary.find().toString(), "devices", "--count",
                dir.toString())).trim());
    }

    private void assertDevicesConfined(String name) throws Exception {
        ExecResult r = fx.runtime.exec(name, List.of("sh", "-c", PROBE), Duration.ofSeconds(10));
        String out = r.stdout();
        assertTrue(out.contains("mknod-ok"), "mknod of a block device is allowed: " + out + r.stderr());
        assertTrue(out.contains("/tmp/blk: Operation not permitted"), "opening it is not: " + out);
        assertTrue(out.contains("4\n") && out.contains("null-ok"), "urandom and null open: " + out);
        assertEquals(1, programs(name), "one device program on the container's cgroup");
    }

    @Test
    void blockDeviceCanBeMadeButNotOpenedBeforeAndAfterCheckpointAndRestore() throws Exception {
        ContainerRuntime rt = fx.runtime;
        String n = Fixture.name("dev");
        rt.create(n, ContainerSpec.of("testfs", List.of("sleep", "600")), null);
        rt.start(n);
        assertDevicesConfined(n);

        CheckpointTarget t = CriuTestDriver.dump(rt, n, fx.tmp.resolve("ck"));
        await("stopped", Duration.ofSeconds(5), () -> fx.status(n) == Status.STOPPED);
        CriuTestDriver.restore(rt, n, fx.tmp.resolve("ck"), t);
        assertEquals(Status.RUNNING, rt.state(n).status());
        assertDevicesConfined(n);
    }
}
