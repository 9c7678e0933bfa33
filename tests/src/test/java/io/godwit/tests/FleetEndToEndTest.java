package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A fleet of three real daemons joined to a real etcd: they find and trust each other through it,
 * a member is evacuated (plan, moves, fallbacks) and restored, a dry run changes nothing, and with
 * etcd stopped local work goes on while cluster commands say why they cannot.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetEndToEndTest {
    private static final List<String> CONTAINERS = List.of("c1", "c2", "m1", "m2");
    private static final Pattern OK = Pattern.compile("ok \\d+ ([0-9a-f]{16})");
    private TestFleet fleet;
    private final Map<String, String> sums = new HashMap<>();

    @BeforeAll
    void up() throws Exception {
        fleet = TestFleet.up("godwit-fl");
    }

    @AfterAll
    void down() throws Exception {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    @Order(1)
    void membersJoinThroughEtcdAndTrustEachOtherWithoutPairing() throws Exception {
        List<String> all = List.of("hosta:ready", "hostb:ready", "hostc:ready");
        TestFleet.await(() -> fleet.members("a").equals(all) && fleet.members("c").equals(all));
        assertEquals(all, fleet.members("a"));
        // no `remote add` was run: the members are remotes of each other because the fleet published them
        TestFleet.await(() -> remotes("a").containsAll(List.of("hostb", "hostc")));
        assertEquals(List.of("hostb", "hostc"), remotes("a"));
        // and every member trusts every other (the later tests move containers between all of them)
        TestFleet.await(() -> remotes("b").equals(List.of("hosta", "hostc")) && remotes("c").equals(List.of("hosta", "hostb")));
        assertEquals(List.of("hosta", "hostc"), remotes("b"));
        assertEquals(List.of("hosta", "hostb"), remotes("c"));
        JsonNode info = fleet.host("b").get("/1.0/cluster/members/hosta").json();
        assertEquals("10.78.0.1:8443", info.path("member").path("address").asText());
        assertEquals(fleet.host("a").get("/1.0").json().path("fingerprint").asText(),
                info.path("member").path("fingerprint").asText());
        assertTrue(info.path("member").path("capacity").path("memoryAvailable").asLong() > 0, info.toString());
        // each member says what CRIU can do on it once its host probe ended (until then nothing is placed on it)
        for (String m : List.of("hosta", "hostb", "hostc")) {
            TestFleet.await(() -> criuWorks(m));
            assertTrue(criuWorks(m), m + ": " + fleet.host("a").get("/1.0/cluster/members/" + m).json());
        }
    }

    private boolean criuWorks(String member) throws Exception {
        return fleet.host("a").get("/1.0/cluster/members/" + member).json().path("member").path("capacity")
                .path("criuWorks").asBoolean(false);
    }

    private List<String> remotes(String node) throws Exception {
        List<String> out = new ArrayList<>();
        fleet.host(node).get("/1.0/remotes").json().forEach(r -> out.add(r.path("name").asText()));
        out.sort(null);
        return out;
    }

    @Test
    @Order(2)
    void aDryRunPlansEveryContainerOntoTheOthersAndChangesNothing() throws Exception {
        fleet.launch("a", "c1", "/bin/counter");
        fleet.launch("a", "c2", "/bin/counter");
        fleet.launch("a", "m1", "/bin/memwriter", "16", "7");
        fleet.launch("a", "m2", "/bin/memwriter", "32", "9");
        // c1 is a protected job: its policy and schedule must go wherever it is moved
        assertEquals(200, fleet.host("a").put("/1.0/containers/c1/failover", Map.of("onNodeFailure", "restore")).status());
        assertEquals(200, fleet.host("a").put("/1.0/containers/c1/schedule", Map.of("every", "10m", "keep", 2)).status());
        for (String m : List.of("m1", "m2")) {
            sums.put(m, awaitVerified("a", m, null));
        }
        TestFleet.await(() -> fleet.directory("b").size() == 4);
        assertEquals(List.of("hosta/c1:RUNNING", "hosta/c2:RUNNING", "hosta/m1:RUNNING", "hosta/m2:RUNNING"),
                fleet.directory("b"));

        ApiResponse r = fleet.host("b").post("/1.0/cluster/members/hosta/evacuate", Map.of("dryRun", true));
        assertEquals(200, r.status(), r.body());
        Set<String> planned = new HashSet<>();
        Set<String> targets = new HashSet<>();
        for (JsonNode a : r.json().path("plan")) {
            planned.add(a.path("container").asText());
            targets.add(a.path("target").asText());
        }
        assertEquals(Set.copyOf(CONTAINERS), planned, r.body());
        assertEquals(Set.of("hostb", "hostc"), targets, "four containers spread over both members: " + r.body());

        assertEquals(List.of("c1:RUNNING", "c2:RUNNING", "m1:RUNNING", "m2:RUNNING"), fleet.containers("a"));
        assertEquals(List.of(), fleet.containers("b"));
        assertEquals(List.of(), fleet.containers("c"));
        assertEquals(List.of("hosta:ready", "hostb:ready", "hostc:ready"), fleet.members("a"));
        assertEquals(0, fleet.host("a").get("/1.0/cluster/members/hosta").json().path("evacuated").size());
    }

    @Test
    @Order(3)
    void evacuationMovesEveryContainerAndRestoreBringsThemBack() throws Exception {
        // asked of hostb: it hands the work to hosta, whose containers they are
        ApiResponse r = fleet.host("b").post("/1.0/cluster/members/hosta/evacuate", Map.of("parallel", 2));
        assertEquals(202, r.status(), r.body());
        JsonNode op = fleet.awaitOperation("b", r.json().path("id").asText());
        assertEquals("success", op.path("status").asText(), op.toString());
        JsonNode result = op.path("result");
        assertEquals("evacuated", result.path("state").asText(), result.toString());
        Map<String, String> where = new HashMap<>();
        for (JsonNode o : result.path("outcomes")) {
            assertEquals("moved", o.path("result").asText(), o.toString());
            where.put(o.path("container").asText(), TestFleet.node(o.path("target").asText()));
        }
        assertEquals(Set.copyOf(CONTAINERS), where.keySet(), result.toString());

        // the node is empty; each container runs once, on its target, and carries on
        assertEquals(List.of(), fleet.containers("a"));
        for (var e : where.entrySet()) {
            assertTrue(fleet.containers(e.getValue()).contains(e.getKey() + ":RUNNING"), e + " " + fleet.containers(e.getValue()));
            String other = e.getValue().equals("b") ? "c" : "b";
            assertFalse(fleet.containers(other).stream().anyMatch(c -> c.startsWith(e.getKey() + ":")), e.toString());
        }
        for (String c : List.of("c1", "c2")) {
            awaitCounting(where.get(c), c);
        }
        assertProtected(where.get("c1"), "c1");
        for (String m : List.of("m1", "m2")) {
            assertEquals(sums.get(m), awaitVerified(where.get(m), m, sums.get(m)), m + " memory after the evacuation");
        }
        assertEquals(List.of("hosta:evacuated", "hostb:ready", "hostc:ready"), fleet.members("c"));
        JsonNode origins = fleet.host("c").get("/1.0/cluster/members/hosta").json().path("evacuated");
        assertEquals(4, origins.size(), origins.toString());
        TestFleet.await(() -> fleet.directory("a").stream().noneMatch(d -> d.startsWith("hosta/")));
        assertTrue(fleet.directory("a").stream().noneMatch(d -> d.startsWith("hosta/")), fleet.directory("a").toString());

        // an evacuated member takes no new placements: a plan for hostb has only hostc to offer
        JsonNode plan = fleet.host("b").post("/1.0/cluster/members/hostb/evacuate", Map.of("dryRun", true)).json();
        for (JsonNode a : plan.path("plan")) {
            assertEquals("hostc", a.path("target").asText(), plan.toString());
        }

        // restore, asked of hosta itself: every container comes back and carries on
        r = fleet.host("a").post("/1.0/cluster/members/hosta/restore", Map.of("parallel", 2));
        assertEquals(202, r.status(), r.body());
        op = fleet.awaitOperation("a", r.json().path("id").asText());
        assertEquals("success", op.path("status").asText(), op.toString());
        assertEquals(List.of("c1:RUNNING", "c2:RUNNING", "m1:RUNNING", "m2:RUNNING"), fleet.containers("a"));
        assertEquals(List.of(), fleet.containers("b"));
        assertEquals(List.of(), fleet.containers("c"));
        for (String m : List.of("m1", "m2")) {
            assertEquals(sums.get(m), awaitVerified("a", m, sums.get(m)), m + " memory after the restore");
        }
        awaitCounting("a", "c1");
        assertProtected("a", "c1");
        assertEquals(List.of("hosta:ready", "hostb:ready", "hostc:ready"), fleet.members("b"));
        assertEquals(0, fleet.host("b").get("/1.0/cluster/members/hosta").json().path("evacuated").size());
    }

    @Test
    @Order(4)
    void withEtcdStoppedLocalWorkGoesOnAndClusterCommandsSayWhy() throws Exception {
        fleet.script("etcd", "stop");
        try {
            ApiResponse r = fleet.host("b").send("GET", "/1.0/cluster/members", null);
            assertEquals(503, r.status(), r.body());
            assertTrue(r.body().contains("etcd at http://10.78.0.254:2379"), r.body());

            TestFleet.Cli cli = fleet.godwit("b", "cluster", "evacuate", "hostb", "--dry-run");
            assertEquals(1, cli.exit(), cli.out());
            assertTrue(cli.out().contains("etcd at http://10.78.0.254:2379 did not answer"), cli.out());

            // local work: a new container, a checkpoint of it, and the evacuated-and-restored ones run on
            fleet.launch("b", "local", "/bin/counter");
            awaitCounting("b", "local");
            r = fleet.host("b").post("/1.0/containers/local/checkpoints", Map.of());
            assertEquals(202, r.status(), r.body());
            JsonNode op = fleet.awaitOperation("b", r.json().path("id").asText());
            assertEquals("success", op.path("status").asText(), op.toString());
            assertEquals(List.of("local:RUNNING"), fleet.containers("b"));
            awaitCounting("a", "c2");
        } finally {
            fleet.script("etcd", "start");
        }
        // and once etcd is back, the members find it again by themselves
        TestFleet.await(() -> fleet.directory("b").contains("hostb/local:RUNNING"));
        assertTrue(fleet.directory("b").contains("hostb/local:RUNNING"), fleet.directory("b").toString());
    }

    /** The container on node has the failover policy and the schedule c1 was given on hosta. */
    private void assertProtected(String node, String name) throws Exception {
        assertEquals("restore", fleet.host(node).get("/1.0/containers/" + name + "/failover").json().path("onNodeFailure")
                .asText(), name + " on host" + node + " lost its failover policy");
        JsonNode schedule = null;
        for (JsonNode sch : fleet.host(node).get("/1.0/schedules").json()) {
            if (sch.path("container").asText().equals(name)) {
                schedule = sch;
            }
        }
        assertTrue(schedule != null && schedule.path("everySeconds").asLong() == 600 && schedule.path("keep").asInt() == 2,
                name + " on host" + node + " lost its schedule: " + schedule);
    }

    /** Waits for the counter in node's container to move on from what it shows now. */
    private void awaitCounting(String node, String name) throws Exception {
        TestContainers.awaitCounting(fleet.host(node), name);
    }

    private long count(String node, String name) throws Exception {
        return TestContainers.count(fleet.host(node), name);
    }

    /**
     * Waits (bounded) for a memwriter's next "ok ROUND SUM" line written on node after now, and
     * returns its checksum; memory that lost or mixed pages would print CORRUPT instead.
     */
    private String awaitVerified(String node, String name, String expected) throws Exception {
        int seen = expected == null ? 0 : fleet.console(node, name).length();
        for (int i = 0; i < 1200; i++) {
            String log = fleet.console(node, name);
            assertFalse(log.contains("CORRUPT"), name + " found its memory corrupted:\n" + log);
            Matcher m = OK.matcher(log.substring(Math.min(seen, log.length())));
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " on " + node + " never verified its memory:\n" + fleet.console(node, name));
    }
}
