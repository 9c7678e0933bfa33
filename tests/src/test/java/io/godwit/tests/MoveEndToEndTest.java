package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Live moves between two real daemons in two network namespaces, over mutual TLS, with the real
 * CRIU: containers carry on where they were, and every failure leaves the container running on
 * the source with nothing left on the target.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MoveEndToEndTest {
    private TestHosts hosts;

    @BeforeAll
    void up() throws Exception {
        hosts = TestHosts.up("godwit-mv", Map.of());
    }

    @AfterEach
    void clean() throws Exception {
        hosts.deleteAllContainers();
    }

    @AfterAll
    void down() throws Exception {
        if (hosts != null) {
            hosts.close();
        }
    }

    private long count(String node, String name) throws Exception {
        return TestContainers.count(hosts.host(node), name);
    }

    private void awaitCountAbove(String node, String name, long floor) throws Exception {
        TestContainers.awaitCountAbove(hosts.host(node), name, floor);
    }

    /** Waits for a fresh "ok N SUM" line after what the console held, and checks it is the same memory. */
    private void awaitVerifiedAgain(String node, String name, String sum) throws Exception {
        int seen = hosts.console(node, name).length();
        for (int i = 0; i < 300; i++) {
            String log = hosts.console(node, name);
            assertFalse(log.contains("CORRUPT"), name + " found its memory corrupted:\n" + log);
            if (log.length() > seen && log.substring(seen).contains(" " + sum)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " on " + node + " did not verify its memory again:\n" + hosts.console(node, name));
    }

    /** memwriter 512 "big" launched on a and filled, and its move to b under way in one of phases. */
    private record BigMove(String sum, String id) {
    }

    private BigMove bigMoveUnderWay(String mode, String... phases) throws Exception {
        hosts.launch("a", "big", "/bin/memwriter", "512");
        String sum = hosts.awaitFilled("a", "big");
        String id = hosts.startMove("big", "hostb", mode, null);
        JsonNode at = hosts.awaitPhase("a", id, phases);
        assertEquals("running", at.get("status").asText(), "the move ended before " + List.of(phases) + ": " + at);
        return new BigMove(sum, id);
    }

    private void assertRunningOnlyOn(String node, String name) throws Exception {
        String other = node.equals("a") ? "b" : "a";
        assertEquals(List.of(name + ":RUNNING"), hosts.containers(node), "on " + node);
        assertTrue(hosts.containers(other).stream().noneMatch(c -> c.startsWith(name + ":")),
                name + " must not be on " + other + ": " + hosts.containers(other));
    }

    /** A daemon's checkpoint schedules as CONTAINER:EVERY_SECONDS:KEEP. */
    private List<String> schedules(String node) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode s : hosts.host(node).get("/1.0/schedules").json()) {
            out.add(s.path("container").asText() + ":" + s.path("everySeconds").asLong() + ":" + s.path("keep").asInt());
        }
        return out;
    }

    private void awaitNoStaging(String node) throws Exception {
        for (int i = 0; i < 300 && !hosts.staging(node).isEmpty(); i++) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), hosts.staging(node), "files of a failed move left on " + node);
    }

    @Test
    void counterMovesToTheOtherHostAndBackUnderANewName() throws Exception {
        hosts.launch("a", "counter", "/bin/counter", "50");
        awaitCountAbove("a", "counter", 5);
        // its checkpoint schedule goes with it, under its new name on the way back
        hosts.host("a").put("/1.0/containers/counter/schedule", Map.of("every", "1h", "keep", 2));

        JsonNode there = hosts.awaitOperation("a", hosts.startMove("counter", "hostb", "cold", null));
        assertEquals("success", there.get("status").asText(), there.toString());
        JsonNode result = there.get("result");
        assertEquals("cold", result.get("mode").asText());
        assertTrue(result.get("downtimeMs").asLong() > 0, result.toString());
        assertTrue(result.get("memoryBytes").asLong() > 0, result.toString());
        assertTrue(result.get("phases").has("dump") && result.get("phases").has("restore"), result.toString());
        assertRunningOnlyOn("b", "counter");
        long onB = count("b", "counter");
        assertTrue(onB > 5, "the counter restarted from zero on b: " + onB);
        awaitCountAbove("b", "counter", onB);
        assertEquals(List.of("counter:3600:2"), schedules("b"), "the schedule went with the container");
        assertEquals(List.of(), schedules("a"), "the schedule left a with the container");

        JsonNode back = hosts.awaitOperation("b", hosts.startMove("counter", "hosta", "auto", "counter2"));
        assertEquals("success", back.get("status").asText(), back.toString());
        assertEquals("lazy", back.get("result").get("mode").asText(), "auto picks post-copy where both kernels have userfaultfd");
        assertRunningOnlyOn("a", "counter2");
        assertEquals(List.of("counter2:3600:2"), schedules("a"), "the schedule came back with it");
        assertEquals(List.of(), schedules("b"), "the schedule left b with the container");
        long onA = count("a", "counter2");
        assertTrue(onA >= onB, "moved back, the counter went backwards: " + onA + " < " + onB);
        awaitCountAbove("a", "counter2", onA);
        assertEquals(List.of(), hosts.staging("a"));
        assertEquals(List.of(), hosts.staging("b"));
    }

    @Test
    void memoryWriterKeepsItsMemoryThereAndBack() throws Exception {
        hosts.launch("a", "mem", "/bin/memwriter", "512");
        String sum = hosts.awaitFilled("a", "mem");

        JsonNode there = hosts.awaitOperation("a", hosts.startMove("mem", "hostb", "lazy", null));
        assertEquals("success", there.get("status").asText(), there.toString());
        assertEquals("lazy", there.get("result").get("mode").asText());
        assertTrue(there.get("result").get("memoryBytes").asLong() >= 512L << 20, there.toString());
        assertTrue(there.get("result").get("phases").has("pages"), there.toString());
        assertRunningOnlyOn("b", "mem");
        awaitVerifiedAgain("b", "mem", sum);

        JsonNode back = hosts.awaitOperation("b", hosts.startMove("mem", "hosta", "cold", null));
        assertEquals("success", back.get("status").asText(), back.toString());
        assertRunningOnlyOn("a", "mem");
        awaitVerifiedAgain("a", "mem", sum);
    }

    @Test
    void badRequestsAndNoGoAnswersChangeNothing() throws Exception {
        hosts.launch("a", "job", "/bin/counter", "50");
        var a = hosts.a();
        assertEquals(404, a.send("POST", "/1.0/containers/job/move", Map.of("remote", "nowhere")).status());
        assertEquals(404, a.send("POST", "/1.0/containers/ghost/move", Map.of("remote", "hostb")).status());
        assertEquals(400, a.send("POST", "/1.0/containers/job/move", Map.of("remote", "hostb", "mode", "warp")).status());
        assertEquals(400, a.send("POST", "/1.0/containers/job/move", Map.of("remote", "hostb", "newName", "../x")).status());
        assertEquals(400, a.send("POST", "/1.0/containers/job/move", Map.of("remote", "hostb", "bogus", 1)).status());
        ApiResponse precopy = a.send("POST", "/1.0/containers/job/move", Map.of("remote", "hostb", "mode", "precopy"));
        assertEquals(409, precopy.status(), precopy.body());
        assertTrue(precopy.body().contains("dirty memory"), precopy.body());

        // The target has a container of that name: its pre-flight says no before anything is frozen.
        hosts.launch("b", "job", "/bin/counter", "50");
        JsonNode op = hosts.awaitOperation("a", hosts.startMove("job", "hostb", "cold", null));
        assertEquals("failure", op.get("status").asText(), op.toString());
        assertTrue(op.get("error").asText().contains("exists"), op.toString());
        assertEquals(List.of("job:RUNNING"), hosts.containers("a"));
        assertEquals(List.of("job:RUNNING"), hosts.containers("b"));
        awaitNoStaging("b");

        assertEquals(200, a.send("POST", "/1.0/containers/job/state", Map.of("action", "stop")).status());
        assertEquals(409, a.send("POST", "/1.0/containers/job/move", Map.of("remote", "hostb", "newName", "job2")).status());
    }

    @Test
    void cancelDuringTheTransferLeavesTheContainerRunningHere() throws Exception {
        BigMove m = bigMoveUnderWay("cold", "dump", "memory");
        String sum = m.sum(), id = m.id();
        assertEquals(202, hosts.a().send("DELETE", "/1.0/operations/" + id, null).status());
        JsonNode op = hosts.awaitOperation("a", id);
        assertEquals("cancelled", op.get("status").asText(), op.toString());
        assertRunningOnlyOn("a", "big");
        awaitVerifiedAgain("a", "big", sum);
        awaitNoStaging("b");
    }

    @Test
    void targetDaemonKilledMidTransfer() throws Exception {
        BigMove m = bigMoveUnderWay("cold", "memory");
        String sum = m.sum(), id = m.id();
        hosts.script("kill", "b");
        JsonNode op = hosts.awaitOperation("a", id);
        assertEquals("failure", op.get("status").asText(), op.toString());
        assertTrue(op.get("error").asText().contains("big is running here"), op.toString());
        awaitVerifiedAgain("a", "big", sum);

        hosts.script("start", "b"); // it discards what the dead move left
        assertEquals(List.of(), hosts.containers("b"));
        assertEquals(List.of(), hosts.staging("b"));
        assertRunningOnlyOn("a", "big");
    }

    /**
     * The target dies while it restores: the container it had begun (CREATED, never running) must not
     * stay behind under the name (the soak found such a copy on the target beside the running source).
     */
    @Test
    void targetDaemonKilledDuringTheRestoreLeavesNoHalfMadeCopy() throws Exception {
        BigMove m = bigMoveUnderWay("cold", "restore");
        hosts.script("kill", "b");
        JsonNode op = hosts.awaitOperation("a", m.id());
        hosts.script("start", "b");
        // the restore may have been done before the kill took: then it runs on b only, else on a only
        String on = op.get("status").asText().equals("success") ? "b" : "a";
        String other = on.equals("a") ? "b" : "a";
        hosts.awaitContainers(on, List.of("big:RUNNING"));
        for (int i = 0; i < 300 && !hosts.containers(other).isEmpty(); i++) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), hosts.containers(other), "a copy stayed on " + other + ": " + op);
        assertRunningOnlyOn(on, "big");
        awaitVerifiedAgain(on, "big", m.sum());
    }

    /** The source daemon dies with its container frozen for a move: back up, it settles with b, then thaws it. */
    @Test
    void sourceDaemonKilledMidTransferThawsItsContainerWhenBack() throws Exception {
        BigMove m = bigMoveUnderWay("cold", "memory");
        String sum = m.sum(), id = m.id();
        hosts.script("kill", "a");
        hosts.script("start", "a");
        hosts.awaitContainers("a", List.of("big:RUNNING"));
        assertRunningOnlyOn("a", "big");
        awaitVerifiedAgain("a", "big", sum);
        awaitNoStaging("b");
        try (var scratch = java.nio.file.Files.list(hosts.root("a").resolve("tmp"))) {
            assertEquals(List.of(), scratch.map(p -> p.getFileName().toString()).toList(),
                    "the dump of the cut-short move is still on a's disk");
        }
    }

    /**
     * The source dies after the target agreed to the move but before anything froze. Back up, it
     * tells the target to forget the move: the name is free again there at once, not after the
     * target's half hour of waiting for a source that went silent (the soak found moves refused
     * for that reason).
     */
    @Test
    void sourceDaemonKilledBeforeTheFreezeFreesTheNameOnTheTarget() throws Exception {
        // 300 MB of rootfs changes: the copy while it runs takes long enough to kill a in it
        hosts.launch("a", "fat", "/bin/sh", "-c", "head -c 300000000 /dev/urandom > /fat && exec /bin/counter 50");
        for (int i = 0; i < 1200 && !hosts.a().post("/1.0/containers/fat/exec", Map.of("command",
                List.of("test", "-f", "/tmp/count"))).json().path("exitCode").asText().equals("0"); i++) {
            Thread.sleep(100); // the counter starts once the file is written
        }
        awaitCountAbove("a", "fat", 3);
        String id = hosts.startMove("fat", "hostb", "cold", null);
        JsonNode at = hosts.awaitPhase("a", id, "rootfs-precopy");
        assertEquals("rootfs-precopy", at.path("phase").asText(), "the move left its copy phase: " + at);
        hosts.script("kill", "a");
        hosts.script("start", "a");
        hosts.awaitContainers("a", List.of("fat:RUNNING"));
        awaitNoStaging("b");
        JsonNode again = hosts.awaitOperation("a", hosts.startMove("fat", "hostb", "cold", null));
        assertEquals("success", again.get("status").asText(), "b still holds the dead move: " + again);
        assertRunningOnlyOn("b", "fat");
    }

    /**
     * The source dies during a post-copy move, while its criu dump waits to serve pages. That
     * criu outlives the daemon and holds the container's tasks: back up, the daemon kills the criu
     * it had started (known by pid and start time), and the container runs here again.
     */
    @Test
    void sourceDaemonKilledDuringALazyMoveStopsItsOrphanedCriu() throws Exception {
        BigMove m = bigMoveUnderWay("lazy", "memory");
        hosts.script("kill", "a");
        hosts.script("start", "a");
        hosts.awaitContainers("a", List.of("big:RUNNING"));
        assertRunningOnlyOn("a", "big");
        awaitVerifiedAgain("a", "big", m.sum());
        awaitNoStaging("b");
        String log = java.nio.file.Files.readString(hosts.root("a").resolveSibling("daemon.log"));
        assertTrue(log.contains("left running by an earlier run of this daemon"),
                "no criu of the killed daemon was found at its start:\n" + TestHosts.tail(hosts.root("a").resolveSibling("daemon.log")));
    }

    @Test
    void cableCutMidTransfer() throws Exception {
        BigMove m = bigMoveUnderWay("cold", "memory");
        String sum = m.sum(), id = m.id();
        hosts.script("link", "down");
        JsonNode op;
        try {
            op = hosts.awaitOperation("a", id);
        } finally {
            // the source keeps telling b to abort: b cleans up once the cable is back
            Thread.sleep(500);
            hosts.script("link", "up");
        }
        assertEquals("failure", op.get("status").asText(), op.toString());
        assertRunningOnlyOn("a", "big");
        awaitVerifiedAgain("a", "big", sum);
        awaitNoStaging("b");
        assertEquals(List.of(), hosts.containers("b"));
    }

    /**
     * Post-copy's one risky window: the container runs on b while its pages still cross. A cut
     * cable then must neither lose it nor leave it running twice: a stays frozen until b confirms
     * it dropped its copy, then carries on from the instant of the freeze.
     */
    @Test
    void cableCutDuringPostCopyKeepsTheSourceFrozenUntilTheTargetDroppedItsCopy() throws Exception {
        BigMove m = bigMoveUnderWay("lazy", "pages");
        String sum = m.sum(), id = m.id();
        hosts.script("link", "down");
        JsonNode op;
        try {
            op = hosts.awaitOperation("a", id);
            assertEquals("failure", op.get("status").asText(), op.toString());
            assertTrue(op.get("error").asText().contains("stays frozen"), op.toString());
            assertEquals(List.of("big:PAUSED"), hosts.containers("a"), "never thawed while b may run it");
        } finally {
            hosts.script("link", "up");
        }
        hosts.awaitContainers("a", List.of("big:RUNNING"));
        assertRunningOnlyOn("a", "big");
        awaitVerifiedAgain("a", "big", sum);
        awaitNoStaging("b");
        try (var scratch = java.nio.file.Files.list(hosts.root("a").resolve("tmp"))) {
            assertEquals(List.of(), scratch.map(p -> p.getFileName().toString()).toList(),
                    "the dump of the cut-short move is still on a's disk");
        }
    }

    private boolean pings(String node, String name, String address) throws Exception {
        ApiResponse r = hosts.host(node).post("/1.0/containers/" + name + "/exec",
                Map.of("command", List.of("ping", "-c", "1", "-W", "2", address)));
        return r.json().path("exitCode").asInt(-1) == 0;
    }

    /** A container on a bridge keeps its address, and reaches its gateway, on the other host. */
    @Test
    void aBridgedContainerKeepsItsAddress() throws Exception {
        ApiResponse r = hosts.a().post("/1.0/containers", Map.of("name", "web", "spec", Map.of("image", "busybox",
                "command", List.of("/bin/counter", "50"), "network", Map.of("mode", "bridge", "bridge", "gwbr0",
                        "address", "10.88.0.5/24", "gateway", "10.88.0.1"))));
        assertEquals(201, r.status(), r.body());
        assertTrue(pings("a", "web", "10.88.0.1"), "web cannot reach its gateway on a before the move");
        JsonNode op = hosts.awaitOperation("a", hosts.startMove("web", "hostb", "cold", null));
        assertEquals("success", op.get("status").asText(), op.toString());
        assertRunningOnlyOn("b", "web");
        ApiResponse addr = hosts.b().post("/1.0/containers/web/exec", Map.of("command", List.of("ip", "-4", "addr",
                "show", "eth0")));
        assertTrue(addr.json().get("output").asText().contains("10.88.0.5/24"), addr.body());
        assertTrue(pings("b", "web", "10.88.0.1"), "web lost its network on b");
        assertEquals("10.88.0.5/24", hosts.b().get("/1.0/containers/web").json().path("spec").path("network")
                .path("address").asText(), hosts.b().get("/1.0/containers/web").body());
    }

    private Process godwitOnA(java.nio.file.Path configDir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("nsenter", "--net=/run/netns/" + hosts.name + "-a",
                TestHosts.TOP.resolve("scripts/godwit").toString(), "--socket", hosts.dir.resolve("a/sock").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("GODWIT_CONFIG_DIR", configDir.toString());
        return pb.start();
    }

    private static String output(Process p, int expectedExit) throws Exception {
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(expectedExit, p.waitFor(), out);
        return out;
    }

    /**
     * godwit --remote hostb: the same API on b, over HTTPS, as a user's own client certificate that
     * b trusts as a client after 'remote login' with a client token. The daemons' pairing for moves
     * does not open b's API to a's daemon.
     */
    @Test
    void theRemoteApiAnswersOnlyAClientThatLoggedIn() throws Exception {
        hosts.launch("b", "web", "/bin/counter", "50");
        java.nio.file.Path user = hosts.dir.resolve("user-config"), stranger = hosts.dir.resolve("stranger-config");
        String notLoggedIn = output(godwitOnA(stranger, "--remote", "hostb", "list"), 2);
        assertTrue(notLoggedIn.contains("not logged in"), notLoggedIn);

        JsonNode remote = null;
        for (JsonNode r : hosts.a().get("/1.0/remotes").json()) {
            remote = r.path("name").asText().equals("hostb") ? r : remote;
        }
        assertTrue(remote != null, "a has no remote hostb");
        var daemonIdentity = io.godwit.transfer.NodeIdentity.loadExisting(hosts.root("a").resolve("peer/identity"));
        var asDaemon = io.godwit.migrator.cli.DaemonClient.overTls(remote.path("address").asText(),
                io.godwit.transfer.TlsContexts.httpsClientContext(daemonIdentity, remote.path("fingerprint").asText()));
        org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> asDaemon.get("/1.0/containers"),
                "a's daemon, paired with b for moves, may not use b's API");

        String token = hosts.b().post("/1.0/trust/tokens", Map.of("role", "client")).json().path("token").asText();
        String login = output(godwitOnA(user, "remote", "login", "hostb", "--token", token), 0);
        assertTrue(login.contains("Logged in to hostb"), login);
        String list = output(godwitOnA(user, "--remote", "hostb", "list", "--format", "json"), 0);
        assertTrue(list.contains("\"web\""), list);
        assertTrue(hosts.b().get("/1.0/trust").body().contains("\"client\""), hosts.b().get("/1.0/trust").body());

        // a peer token does not make a client: the CLI says so and keeps no login
        String peerToken = hosts.b().post("/1.0/trust/tokens", Map.of()).json().path("token").asText();
        String wrong = output(godwitOnA(stranger, "remote", "login", "hostb", "--token", peerToken), 1);
        assertTrue(wrong.contains("not a client"), wrong);
        assertTrue(output(godwitOnA(stranger, "--remote", "hostb", "list"), 2).contains("not logged in"));
    }

    @Test
    void aRevokedCertificateIsRefused() throws Exception {
        hosts.launch("a", "job", "/bin/counter", "50");
        // b revokes a's certificate, on b alone (`remote rm` would unpair both sides): a still knows b
        String aFingerprint = hosts.a().get("/1.0").json().get("fingerprint").asText();
        assertEquals(200, hosts.b().send("DELETE", "/1.0/trust/" + aFingerprint, null).status());
        try {
            JsonNode op = hosts.awaitOperation("a", hosts.startMove("job", "hostb", "cold", null));
            assertEquals("failure", op.get("status").asText(), op.toString());
            assertTrue(op.get("error").asText().contains("trust"), op.toString());
            assertRunningOnlyOn("a", "job");
            assertEquals(List.of(), hosts.staging("b"));
        } finally {
            String token = hosts.a().post("/1.0/trust/tokens", null).json().get("token").asText();
            ApiResponse r = hosts.b().post("/1.0/remotes", Map.of("name", "hosta", "address", "10.77.0.1:8443",
                    "token", token));
            assertEquals(201, r.status(), r.body());
        }
        // Paired again, the move goes through.
        JsonNode op = hosts.awaitOperation("a", hosts.startMove("job", "hostb", "cold", null));
        assertEquals("success", op.get("status").asText(), op.toString());
        assertRunningOnlyOn("b", "job");
    }
}
