package io.godwit.runtime;

import static io.godwit.runtime.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.runtime.ContainerState.Status;
import io.godwit.runtime.confine.ProcStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A container with its own user namespace on the real kernel: its root is an unprivileged host user
 * of the recorded range, owns its (shifted) root filesystem, is confined as any container (the escape
 * probe finds every door shut, also through exec), and two containers get two ranges.
 */
class UsernsTest {
    private Fixture fx;
    private ContainerRuntime rt;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(true);
        rt = fx.runtime;
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private String started(String base, List<String> cmd) throws Exception {
        String n = Fixture.name(base);
        rt.create(n, ContainerSpec.of("testfs", cmd).withSecurity(SecuritySpec.DEFAULT.withUserns(
                new UserNamespace(null, null, null))), null);
        rt.start(n);
        return n;
    }

    static void assertMapped(int pid, UserNamespace ns) throws Exception {
        assertEquals("0 " + ns.hostUid() + " " + ns.size(),
                Files.readString(Path.of("/proc/" + pid + "/uid_map")).trim().replaceAll("\\s+", " "));
        assertEquals("0 " + ns.hostGid() + " " + ns.size(),
                Files.readString(Path.of("/proc/" + pid + "/gid_map")).trim().replaceAll("\\s+", " "));
        assertEquals(List.of(ns.hostUid(), ns.hostUid(), ns.hostUid(), ns.hostUid()), ProcStatus.of(pid).uids());
    }

    @Test
    void rootIsAnUnprivilegedHostUserOfTheRecordedRangeAndStaysConfined() throws Exception {
        String me = Long.toString(ProcessHandle.current().pid());
        String n = started("uns", List.of("/bin/escape", "--serve", me));
        UserNamespace ns = rt.spec(n).confinement().userns();
        assertTrue(ns.allocated() && ns.hostUid() > 0 && ns.size() == 65536, String.valueOf(ns));
        int pid = rt.state(n).initPid();
        assertMapped(pid, ns);
        Path log = rt.logFile(n);
        await("round 1", Duration.ofSeconds(20), () -> Fixture.read(log).contains("escape round 1:"));
        assertTrue(Fixture.read(log).contains(" 0 escaped"), Fixture.read(log));
        // the rootfs is the container root's: it writes there; ids inside are 0
        ExecResult r = rt.exec(n, List.of("sh", "-c", "id; touch /etc/made-by-root && ls -ln /etc/made-by-root"),
                Duration.ofSeconds(10));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().startsWith("uid=0(root) gid=0(root)") || r.stdout().startsWith("uid=0 gid=0"), r.stdout());
        assertTrue(r.stdout().matches("(?s).* 0 +0 .*made-by-root.*"), r.stdout());
        assertEquals(ns.hostUid().intValue(),
                (Integer) Files.getAttribute(rt.rootfs(n).resolve("etc/made-by-root"), "unix:uid"));
        ExecResult probe = rt.exec(n, List.of("/bin/escape", me), Duration.ofSeconds(30));
        assertEquals(0, probe.exitCode(), probe.stdout());

        String other = started("uns2", List.of("sleep", "60"));
        assertNotEquals(ns.hostUid(), rt.spec(other).confinement().userns().hostUid(), "a range of its own");
    }

    @Test
    void checkpointAndRestoreKeepTheMapping() throws Exception {
        String n = started("unc", List.of("sh", "-c", "i=0; while true; do echo $i; i=$((i+1)); sleep 0.2; done"));
        UserNamespace ns = rt.spec(n).confinement().userns();
        CheckpointTarget t = CriuTestDriver.dump(rt, n, fx.tmp.resolve("ck"));
        await("stopped", Duration.ofSeconds(5), () -> fx.status(n) == Status.STOPPED);
        int pid = CriuTestDriver.restore(rt, n, fx.tmp.resolve("ck"), t);
        assertMapped(pid, ns);
        long at = Fixture.lastCount(rt.logFile(n));
        await("counting on", Duration.ofSeconds(10), () -> Fixture.lastCount(rt.logFile(n)) > at + 2);
        ExecResult r = rt.exec(n, List.of("sh", "-c", "id -u; cat /proc/self/uid_map"), Duration.ofSeconds(10));
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().startsWith("0\n"), r.stdout());
        assertTrue(r.stdout().replaceAll("\\s+", " ").contains("0 " + ns.hostUid() + " 65536"), r.stdout());
    }
}
