package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Failover of checkpointed jobs in a fleet of three real daemons on a real etcd (scripts/testfleet),
 * with short timings (lease 5 s, fence T1 3 s, failover T2 5 s): a counter launched with the restore
 * policy and a schedule gets its checkpoints replicated to another member; its host dies (daemon,
 * container and monitor SIGKILLed) and the elected leader restores it on the replica's holder, where
 * it carries on from the checkpoint (its first restore fails, a container of that name being in the way,
 * and the leader tries again). Then that holder is cut off from etcd and the others: it freezes
 * the job itself, the fleet restores it on the third member, and once the link is back the cut-off
 * member drops its frozen copy, so that the job never runs twice. Last, only the daemon of the job's
 * member is SIGKILLed (its container and monitor live on): the monitor freezes the job itself, the
 * fleet restores it on the replica's holder, and the daemon, started again, drops its frozen copy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverEndToEndTest {
    private static final String SETTINGS = """
            {"cluster": {"endpoints": "http://10.78.0.254:2379", "leaseSeconds": 5, "fenceSeconds": 3,
                         "failoverSeconds": 5}}""";
    private TestFleet fleet;
    /** The member that restored the job in the first test (it runs it for the second). */
    private String holder;
    /** The member that runs the job after the second test (for the third). */
    private String runsIt;

    @BeforeAll
    void up() throws Exception {
        fleet = TestFleet.up("godwit-fo", SETTINGS);
        for (String m : List.of("hosta", "hostb", "hostc")) {
            TestFleet.await(() -> fleet.host("a").get("/1.0/cluster/members/" + m).json().path("member")
                    .path("capacity").path("criuWorks").asBoolean(false));
        }
        // every member trusts the two others (replicas and failover orders travel between them)
        for (String n : List.of("a", "b", "c")) {
            TestFleet.await(() -> fleet.host(n).get("/1.0/remotes").json().size() == 2);
        }
    }

    @AfterAll
    void down() throws Exception {
        if (fleet != null) {
            fleet.close();
        }
    }

    private JsonNode failover(String node, String container) throws Exception {
        return fleet.host(node).get("/1.0/containers/" + container + "/failover").json();
    }

    private void protect(String node, String container) throws Exception {
        ApiResponse r = fleet.host(node).put("/1.0/containers/" + container + "/failover", Map.of("onNodeFailure", "restore"));
        assertEquals(200, r.status(), r.body());
        r = fleet.host(node).put("/1.0/containers/" + container + "/schedule", Map.of("every", "3s", "keep", 2));
        assertEquals(200, r.status(), r.body());
    }

    /** The counter's value saved in checkpoint id on node (its rootfs changes hold /tmp/count). */
    private long savedCount(String node, String id) throws Exception {
        Path f = fleet.root(node).resolve("checkpoints").resolve(id).resolve("rootfs/tmp/count");
        return Long.parseLong(Files.readString(f).strip());
    }

    private long firstPrinted(String node, String container) throws Exception {
        TestFleet.await(() -> !fleet.console(node, container).isBlank());
        return Long.parseLong(fleet.console(node, container).lines().findFirst().orElseThrow().strip());
    }

    /**
     * The counter's value, read from its rootfs on the host: the job is paused for a moment by every
     * scheduled dump (and for good when fenced), and an exec into a paused container is refused.
     */
    private long frozenCount(String node) throws Exception {
        return Long.parseLong(Files.readString(fleet.root(node).resolve("containers/job/rootfs/tmp/count")).strip());
    }

    /** Waits (bounded, 30 s) until the job's counter on node is past floor; returns what it saw. */
    private long awaitCountAbove(String node, long floor) throws Exception {
        long c = -1;
        for (int i = 0; i < 300; i++) {
            try {
                c = frozenCount(node);
            } catch (java.io.IOException | NumberFormatException e) {
                // renamed into place as we read: read again
            }
            if (c > floor) {
                return c;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job on host" + node + " stopped counting at " + c + " (expected > " + floor + ")");
    }

    private void awaitCounting(String node) throws Exception {
        awaitCountAbove(node, frozenCount(node));
    }

    private JsonNode failedOver(String asking, String member) throws Exception {
        return fleet.host(asking).get("/1.0/cluster/members/" + member).json().path("failedOver");
    }

    @org.junit.jupiter.api.extension.RegisterExtension
    final org.junit.jupiter.api.extension.TestExecutionExceptionHandler withLogs = (context, thrown) -> {
        if (fleet != null) {
            thrown.addSuppressed(new AssertionError("daemon logs:" + fleet.logTails()));
        }
        throw thrown;
    };

    @Test
    @Order(1)
    void aDeadMembersJobIsRestoredFromItsReplicaAndCarriesOnFromTheCheckpoint() throws Exception {
        fleet.launch("a", "job", "/bin/counter");
        protect("a", "job");
        // a scheduled checkpoint is replicated to one other member, and the directory says which
        TestFleet.await(() -> !failover("a", "job").path("replica").isNull()
                && !failover("a", "job").path("replica").isMissingNode());
        JsonNode replica = failover("a", "job").path("replica");
        assertEquals("restore", failover("a", "job").path("onNodeFailure").asText());
        holder = TestFleet.node(replica.path("holder").asText());
        assertTrue(List.of("b", "c").contains(holder), replica.toString());
        TestFleet.await(() -> fleet.host("c").get("/1.0/cluster/containers").json().toString().contains("\"holder\""));
        JsonNode entry = null;
        for (JsonNode e : fleet.host("c").get("/1.0/cluster/containers").json()) {
            if (e.path("name").asText().equals("job")) {
                entry = e;
            }
        }
        assertTrue(entry != null && entry.path("onNodeFailure").asText().equals("restore")
                && entry.path("replica").path("holder").asText().equals("host" + holder), String.valueOf(entry));
        // the holder has the checkpoint itself (the same id), ready to restore (the next replica may replace it meanwhile)
        Path held = fleet.root(holder).resolve("checkpoints");
        String[] seen = new String[1];
        TestFleet.await(() -> {
            String c = failover("a", "job").path("replica").path("checkpoint").asText();
            seen[0] = Files.isDirectory(held.resolve(c)) ? c : null;
            return seen[0] != null;
        });
        assertTrue(seen[0] != null, "the holder never had the replicated checkpoint: " + failover("a", "job"));

        // the holder runs a container of that name already, so the first restore there fails
        fleet.launch(holder, "job", "/bin/sleep", "1000");
        String other = holder.equals("b") ? "c" : "b";

        long crashed = System.nanoTime();
        fleet.script("crash", "a");
        TestFleet.await(() -> failedOver(other, "hosta").toString().contains("\"failed\""));
        long failedMs = (System.nanoTime() - crashed) / 1_000_000;
        JsonNode failed = failedOver(other, "hosta").get(0);
        assertEquals("failed", failed.path("state").asText(), failed.toString());
        assertEquals(1, failed.path("attempts").asInt(), failed.toString());
        assertTrue(failed.path("error").asText().contains("exists here already"), failed.toString());
        // the name is free again: the leader tries again (5 s after the failure) and it works
        assertEquals(200, fleet.host(holder).send("DELETE", "/1.0/containers/job?force=true", null).status());
        TestFleet.await(() -> fleet.containers(holder).contains("job:RUNNING"));
        long failoverMs = (System.nanoTime() - crashed) / 1_000_000;
        assertEquals(List.of("job:RUNNING"), fleet.containers(holder));
        System.out.println("failover: hosta killed -> first restore failed after " + failedMs + " ms -> job running on host"
                + holder + " after " + failoverMs + " ms");

        // the directory says where it went and from which replica, and after how many attempts
        TestFleet.await(() -> failedOver(other, "hosta").toString().contains("running"));
        JsonNode went = failedOver(other, "hosta").get(0);
        assertEquals("host" + holder, went.path("to").asText(), went.toString());
        assertEquals("running", went.path("state").asText(), went.toString());
        assertEquals(2, went.path("attempts").asInt(), went.toString());
        String restoredFrom = went.path("checkpoint").asText();
        // it carries on from the checkpoint: its first line is the one after the count the checkpoint saved
        long saved = savedCount(holder, restoredFrom);
        long first = firstPrinted(holder, "job");
        assertTrue(first > saved && first <= saved + 2, "restored counter printed " + first + " first; the checkpoint "
                + restoredFrom + " saved " + saved);
        long now = awaitCountAbove(holder, saved);
        assertTrue(now > saved, now + " <= " + saved);
        assertFalse(fleet.containers(other).stream().anyMatch(c -> c.startsWith("job:")), fleet.containers(other).toString());
        // and it is protected where it is now: policy and schedule came along
        assertEquals("restore", failover(holder, "job").path("onNodeFailure").asText());
    }

    @Test
    @Order(2)
    void aMemberCutOffFencesItsJobAndDropsItsCopyOnceTheFleetRestoredItElsewhere() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(holder != null, "the first test restored the job nowhere");
        String cut = holder;
        String other = cut.equals("b") ? "c" : "b";
        // the job replicates from its new member to the only other live one
        TestFleet.await(() -> failover(cut, "job").path("replica").path("holder").asText().equals("host" + other));
        assertEquals("host" + other, failover(cut, "job").path("replica").path("holder").asText(),
                failover(cut, "job").toString());

        fleet.script("cut", cut);
        try {
            // T1 after its last renewal it freezes the job itself (its local API still answers)
            // (not merely paused for a scheduled checkpoint's dump: fenced, and it stays so)
            TestFleet.await(() -> failover(cut, "job").path("fenced").asBoolean()
                    && fleet.containers(cut).contains("job:PAUSED"));
            assertTrue(failover(cut, "job").path("fenced").asBoolean(), failover(cut, "job").toString());
            assertEquals(List.of("job:PAUSED"), fleet.containers(cut));
            // the fleet restores it on the other member
            TestFleet.await(() -> fleet.containers(other).contains("job:RUNNING"));
            assertEquals(List.of("job:RUNNING"), fleet.containers(other));
            long frozenAt = frozenCount(cut);
            awaitCounting(other);
            awaitCounting(other);
            // never both: the cut-off copy stayed frozen all along
            assertEquals(List.of("job:PAUSED"), fleet.containers(cut));
            assertEquals(frozenAt, frozenCount(cut));
        } finally {
            fleet.script("link", cut);
        }
        // back: it finds the job restored elsewhere and deletes its own copy (its checkpoints stay)
        TestFleet.await(() -> fleet.containers(cut).isEmpty());
        assertEquals(List.of(), fleet.containers(cut));
        assertEquals(404, fleet.host(cut).send("GET", "/1.0/containers/job", null).status(), "the container is gone");
        try (var dirs = Files.list(fleet.root(cut).resolve("checkpoints"))) {
            assertTrue(dirs.findAny().isPresent(), "its checkpoint files are kept");
        }
        assertEquals(List.of("job:RUNNING"), fleet.containers(other));
        awaitCounting(other);
        JsonNode went = failedOver(other, "host" + cut).get(0);
        assertEquals("host" + other, went.path("to").asText(), went.toString());
        runsIt = other;
    }

    @Test
    @Order(3)
    void aCrashedDaemonsJobIsFencedByItsMonitorAndItsCopyDroppedWhenTheDaemonIsBack() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(runsIt != null, "the second test left the job nowhere");
        String dead = runsIt;
        String other = dead.equals("b") ? "c" : "b";
        TestFleet.await(() -> failover(dead, "job").path("replica").path("holder").asText().equals("host" + other));
        assertEquals("host" + other, failover(dead, "job").path("replica").path("holder").asText(),
                failover(dead, "job").toString());
        Path mark = fleet.root(dead).resolve("containers/job/fenced");
        assertTrue(Files.exists(fleet.root(dead).resolve("containers/job/fence")), "the daemon armed the monitor's fence");
        assertFalse(Files.exists(mark));

        long killed = System.nanoTime();
        fleet.script("kill", dead); // the daemon only: the job and its monitor live on
        // no daemon renews the deadline any more: the monitor freezes the job itself
        TestFleet.await(() -> Files.exists(mark));
        long fencedMs = (System.nanoTime() - killed) / 1_000_000;
        assertTrue(Files.exists(mark), "the monitor never fenced the job of the dead daemon");
        assertEquals("frozen", Files.readString(mark).strip().split(" ")[0]);
        long frozenAt = frozenCount(dead);
        // the fleet restores it on the holder of its replica
        TestFleet.await(() -> fleet.containers(other).contains("job:RUNNING"));
        long failoverMs = (System.nanoTime() - killed) / 1_000_000;
        assertEquals(List.of("job:RUNNING"), fleet.containers(other));
        awaitCounting(other);
        awaitCounting(other);
        // never both: the copy of the dead daemon stayed frozen all along
        assertEquals(frozenAt, frozenCount(dead));
        System.out.println("fence: host" + dead + "'s daemon killed -> job frozen by its monitor after " + fencedMs
                + " ms, running on host" + other + " after " + failoverMs + " ms");

        // the daemon comes back, finds the job restored elsewhere and deletes its frozen copy
        fleet.script("start", dead);
        TestFleet.await(() -> fleet.containers(dead).isEmpty());
        assertEquals(List.of(), fleet.containers(dead));
        // PAUSED only for a moment, by one of its scheduled checkpoints (every 3 s): it counts on
        assertTrue(List.of(List.of("job:RUNNING"), List.of("job:PAUSED")).contains(fleet.containers(other)),
                fleet.containers(other).toString());
        awaitCounting(other);
        JsonNode went = failedOver(other, "host" + dead).get(0);
        assertEquals("host" + other, went.path("to").asText(), went.toString());
    }
}
