package io.godwit.runtime;

import static io.godwit.runtime.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.godwit.runtime.ContainerState.Status;
import io.godwit.runtime.confine.Capabilities;
import io.godwit.runtime.confine.ProcStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A container's confinement on the real kernel: the escape probe (scripts/testprogs/escape.c) run as the
 * container's init finds every door shut, before and after a checkpoint and restore with the real CRIU;
 * capabilities, user, read-only root and a custom seccomp profile do what the spec says.
 */
class ConfinementTest {
    private static final ObjectMapper JSON = new ObjectMapper();
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

    private static String escapeRound(Path log, int round) {
        String marker = "escape round " + round + ":";
        await("escape round " + round, Duration.ofSeconds(20), () -> Fixture.read(log).contains(marker));
        String all = Fixture.read(log);
        int end = all.indexOf(marker);
        int start = round == 1 ? 0 : all.indexOf("escape round " + (round - 1) + ":");
        return all.substring(start, all.indexOf('\n', end) + 1);
    }

    private String started(String base, ContainerSpec spec) throws Exception {
        String n = Fixture.name(base);
        rt.create(n, spec, null);
        rt.start(n);
        return n;
    }

    private static ContainerSpec spec(List<String> cmd, SecuritySpec sec) {
        return ContainerSpec.of("testfs", cmd).withSecurity(sec);
    }

    @Test
    void defaultContainerIsConfinedAndStaysSoAfterCheckpointAndRestore() throws Exception {
        String me = Long.toString(ProcessHandle.current().pid());
        String n = started("esc", ContainerSpec.of("testfs", List.of("/bin/escape", "--serve", me)));
        Path log = rt.logFile(n);
        String before = escapeRound(log, 1);
        assertTrue(before.contains(" 0 escaped"), before);
        assertTrue(before.contains("ptrace-outside"), before);
        ProcStatus st = ProcStatus.of(rt.state(n).initPid());
        long expected = Capabilities.mask(Capabilities.DEFAULT);
        assertEquals(expected, st.capEff(), Long.toHexString(st.capEff()));
        assertEquals(expected, st.capBnd());
        assertEquals(0, st.capAmb());
        assertTrue(st.noNewPrivs());
        assertEquals(2, st.seccompMode());

        CheckpointTarget t = CriuTestDriver.dump(rt, n, fx.tmp.resolve("ck"));
        await("stopped", Duration.ofSeconds(5), () -> fx.status(n) == Status.STOPPED);
        int pid = CriuTestDriver.restore(rt, n, fx.tmp.resolve("ck"), t);
        ProcStatus after = ProcStatus.of(pid);
        assertEquals(st.capEff(), after.capEff());
        assertEquals(st.capBnd(), after.capBnd());
        assertEquals(st.capInh(), after.capInh());
        assertTrue(after.noNewPrivs());
        assertEquals(2, after.seccompMode());
        assertEquals(st.seccompFilters(), after.seccompFilters());
        rt.kill(n, 10); // SIGUSR1: the restored probe runs again
        String again = escapeRound(log, 2);
        assertTrue(again.contains(" 0 escaped"), again);
    }

    /** The probe's attempt lines ("NAME blocked (reason)"), without the round's summary. */
    private static List<String> attempts(String round) {
        return round.lines().filter(l -> !l.startsWith("escape round") && !l.isBlank()).toList();
    }

    /** The confinement lines of /proc/PID/status: capabilities, no_new_privs, seccomp mode and filters, ids. */
    private static List<String> confinementLines(String status) {
        return status.lines().filter(l -> l.matches("(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp|Seccomp_filters"
                + "|Uid|Gid|Groups):.*")).map(l -> l.replaceAll("\\s+", " ").trim()).toList();
    }

    private void assertExecConfinedAsInit(String n, String me, List<String> initAttempts) throws Exception {
        int init = rt.state(n).initPid();
        ExecResult probe = rt.exec(n, List.of("/bin/escape", me), Duration.ofSeconds(30));
        assertEquals(0, probe.exitCode(), probe.stdout() + probe.stderr());
        assertEquals(initAttempts, attempts(probe.stdout()), probe.stdout());
        ExecResult status = rt.exec(n, List.of("cat", "/proc/self/status"), Duration.ofSeconds(10));
        assertEquals(0, status.exitCode(), status.stderr());
        List<String> execLines = confinementLines(status.stdout());
        assertEquals(confinementLines(Files.readString(Path.of("/proc/" + init + "/status"))), execLines);
        assertTrue(execLines.contains("CapAmb: 0000000000000000"), execLines.toString());
        // the same cgroup in every hierarchy, the same namespaces
        ExecResult cg = rt.exec(n, List.of("cat", "/proc/self/cgroup"), Duration.ofSeconds(10));
        assertEquals(Files.readString(Path.of("/proc/" + init + "/cgroup")), cg.stdout());
        ExecResult ns = rt.exec(n, List.of("sh", "-c", "for k in pid mnt net uts ipc; do readlink /proc/self/ns/$k; done"),
                Duration.ofSeconds(10));
        for (String kind : List.of("pid", "mnt", "net", "uts", "ipc")) {
            String want = Files.readSymbolicLink(Path.of("/proc/" + init + "/ns/" + kind)).toString();
            assertTrue(ns.stdout().contains(want), kind + ": " + ns.stdout() + " wants " + want);
        }
    }

    @Test
    void execIsConfinedExactlyAsTheInitBeforeAndAfterCheckpointAndRestore() throws Exception {
        String me = Long.toString(ProcessHandle.current().pid());
        String n = started("exe", ContainerSpec.of("testfs", List.of("/bin/escape", "--serve", me)));
        Path log = rt.logFile(n);
        List<String> initAttempts = attempts(escapeRound(log, 1));
        assertTrue(initAttempts.size() > 10 && initAttempts.stream().noneMatch(l -> l.contains("ESCAPED")),
                initAttempts.toString());
        assertExecConfinedAsInit(n, me, initAttempts);

        CheckpointTarget t = CriuTestDriver.dump(rt, n, fx.tmp.resolve("ck"));
        await("stopped", Duration.ofSeconds(5), () -> fx.status(n) == Status.STOPPED);
        CriuTestDriver.restore(rt, n, fx.tmp.resolve("ck"), t);
        assertExecConfinedAsInit(n, me, initAttempts);
    }

    @Test
    void execRunsAsTheContainersUserInItsWorkingDirectory() throws Exception {
        String n = started("exu", new ContainerSpec("testfs", List.of("sleep", "60"), null, "/tmp", null, null, null,
                null, new SecuritySpec(null, null, null, null, null, null, "1000:1001", List.of(20L, 30L), null,
                        null, null, null)));
        ExecResult r = rt.exec(n, List.of("sh", "-c", "id; pwd; mknod /tmp/n c 1 3 2>&1; echo end"),
                Duration.ofSeconds(10));
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().contains("uid=1000 gid=1001"), r.stdout());
        assertTrue(r.stdout().contains("20") && r.stdout().contains("30"), r.stdout());
        assertTrue(r.stdout().contains("\n/tmp\n"), r.stdout());
        assertTrue(r.stdout().contains("Operation not permitted"), r.stdout()); // no CAP_MKNOD for a non-root user
        ProcStatus init = ProcStatus.of(rt.state(n).initPid());
        assertEquals(0, init.capEff());
        // a command that is not there: 127 and the reason, as a shell says it
        ExecResult missing = rt.exec(n, List.of("no-such-command"), Duration.ofSeconds(10));
        assertEquals(127, missing.exitCode());
        assertTrue(missing.stderr().contains("no-such-command"), missing.stderr());
    }

    @Test
    void unconfinedOnRequestShowsTheProbeCanSeeEscapes() throws Exception {
        // the probe is not blind: with everything allowed, attempts do get through
        String n = started("open", spec(List.of("/bin/escape", "--serve"),
                new SecuritySpec(List.of("ALL"), null, null, false, "unconfined", null, null, null, null, null,
                        List.of(), List.of())));
        String round = escapeRound(rt.logFile(n), 1);
        assertFalse(round.contains(" 0 escaped"), round);
        assertTrue(round.contains("mount-tmpfs            ESCAPED"), round);
        assertEquals(0, ProcStatus.of(rt.state(n).initPid()).seccompMode());
    }

    @Test
    void capAddAndDropChangeTheSets() throws Exception {
        String n = started("caps", spec(List.of("sleep", "60"), new SecuritySpec(List.of("net_admin"),
                List.of("CAP_MKNOD", "chown"), null, null, null, null, null, null, null, null, null, null)));
        ProcStatus st = ProcStatus.of(rt.state(n).initPid());
        List<String> caps = Capabilities.names(st.capEff());
        assertTrue(caps.contains("CAP_NET_ADMIN"), caps.toString());
        assertFalse(caps.contains("CAP_MKNOD"), caps.toString());
        assertFalse(caps.contains("CAP_CHOWN"), caps.toString());
        assertEquals(st.capEff(), st.capBnd());
    }

    @Test
    void userAndGroupsAndReadOnlyRootWithTmpfs() throws Exception {
        String n = started("user", spec(List.of("sh", "-c",
                "id; touch /etc/x 2>&1; echo ok > /tmp/t && cat /tmp/t; sleep 60"),
                new SecuritySpec(null, null, null, null, null, null, "1000:1001", List.of(20L, 30L), true,
                        List.of("/tmp"), null, null)));
        Path log = rt.logFile(n);
        await("output", Duration.ofSeconds(10), () -> Fixture.read(log).contains("ok"));
        String out = Fixture.read(log);
        assertTrue(out.contains("uid=1000 gid=1001"), out);
        assertTrue(out.contains("groups=20,30") || out.contains("groups=20(") || out.contains("20,30"), out);
        assertTrue(out.contains("Read-only file system"), out);
        ProcStatus st = ProcStatus.of(rt.state(n).initPid());
        assertEquals(0, st.capEff());
        assertEquals(List.of(1000L, 1000L, 1000L, 1000L), st.uids());
    }

    @Test
    void customSeccompProfileBlocksOneSyscallBeforeAndAfterRestore() throws Exception {
        var profile = JSON.readTree("""
                {"defaultAction": "SCMP_ACT_ALLOW",
                 "syscalls": [{"names": ["sync"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}""");
        String n = started("sc", spec(List.of("/bin/escape", "--serve"),
                new SecuritySpec(null, null, null, null, "custom", profile, null, null, null, null, null, null)));
        Path log = rt.logFile(n);
        assertTrue(escapeRound(log, 1).contains("sync                   Operation not permitted"), Fixture.read(log));
        CheckpointTarget t = CriuTestDriver.dump(rt, n, fx.tmp.resolve("ck"));
        await("stopped", Duration.ofSeconds(5), () -> fx.status(n) == Status.STOPPED);
        CriuTestDriver.restore(rt, n, fx.tmp.resolve("ck"), t);
        rt.kill(n, 10);
        assertTrue(escapeRound(log, 2).contains("sync                   Operation not permitted"), Fixture.read(log));
    }

    @Test
    void badProfilesAndCapabilityNamesAreRejectedNamingThem() throws Exception {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> rt.create(Fixture.name("bad"),
                spec(List.of("true"), new SecuritySpec(List.of("CAP_FLY"), null, null, null, null, null, null, null,
                        null, null, null, null)), null));
        assertTrue(e.getMessage().contains("CAP_FLY"), e.getMessage());
        var bad = JSON.readTree("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["sync"], "action": "SCMP_ACT_EXPLODE"}]}""");
        e = assertThrows(InvalidSpecException.class, () -> rt.create(Fixture.name("bad"),
                spec(List.of("true"), new SecuritySpec(null, null, null, null, "custom", bad, null, null, null, null,
                        null, null)), null));
        assertEquals("security.seccompProfile.syscalls[0].action", e.field());
        assertTrue(e.getMessage().contains("SCMP_ACT_EXPLODE"), e.getMessage());
        assertTrue(rt.list().isEmpty(), "nothing was created");
    }

    @Test
    void volumeTargetsResolveInsideTheRootfsAndReadOnlyIsRecursive() throws Exception {
        Path hostFile = Files.writeString(fx.tmp.resolve("hostfile"), "from-host\n");
        Path outside = Files.createDirectories(fx.tmp.resolve("outside"));
        // an image whose /vfile is a symlink to an absolute path that exists only on the host: refused, nothing made
        String bad = Fixture.name("vbad");
        rt.create(bad, ContainerSpec.of("testfs", List.of("true"))
                .withMounts(List.of(new VolumeMount(hostFile.toString(), "/vfile", false))), null);
        Files.createSymbolicLink(rt.rootfs(bad).resolve("vfile"), outside.resolve("created"));
        ContainerException e = assertThrows(ContainerException.class, () -> rt.start(bad));
        assertTrue(e.getMessage().contains("/vfile cannot be resolved inside the rootfs"), e.getMessage());
        assertFalse(Files.exists(outside.resolve("created")), "created on the host through the image's symlink");

        // a symlink that resolves inside the rootfs lands there; a read-only volume is read-only with its submounts
        Path hostDir = Files.createDirectories(fx.tmp.resolve("hostdir/sub"));
        String n = Fixture.name("vol");
        rt.create(n, ContainerSpec.of("testfs", List.of("sh", "-c",
                "cat /etc/hostname; touch /ro/sub/x 2>&1; touch /ro/x 2>&1; sleep 60"))
                .withMounts(List.of(new VolumeMount(hostFile.toString(), "/vfile", false),
                        new VolumeMount(fx.tmp.resolve("hostdir").toString(), "/ro", true))), null);
        Files.createSymbolicLink(rt.rootfs(n).resolve("vfile"), Path.of("/etc/hostname"));
        new ProcessBuilder("mount", "-t", "tmpfs", "sub", hostDir.toString()).inheritIO().start().waitFor();
        try {
            rt.start(n);
            Path log = rt.logFile(n);
            await("output", Duration.ofSeconds(10), () -> Fixture.read(log).split("Read-only").length > 2);
            String out = Fixture.read(log);
            assertTrue(out.startsWith("from-host"), out);
            assertTrue(out.contains("/ro/sub/x: Read-only file system"), out);
        } finally {
            rt.delete(n, true);
            new ProcessBuilder("umount", "-l", hostDir.toString()).inheritIO().start().waitFor();
        }
    }
}
