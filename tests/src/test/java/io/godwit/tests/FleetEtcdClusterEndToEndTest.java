package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A fleet of three real daemons on a real etcd cluster of three members: with the etcd member the
 * daemons are given first stopped, the fleet carries on through the other two (a quorum): the
 * members stay ready past their leases' time to live, a new container shows in the directory, and
 * an evacuation (lock, plan, move, state) goes through; then the stopped member comes back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FleetEtcdClusterEndToEndTest {
    private static final List<String> ALL_READY = List.of("hosta:ready", "hostb:ready", "hostc:ready");
    private static final ObjectMapper JSON = new ObjectMapper();
    private TestFleet fleet;

    @BeforeAll
    void up() throws Exception {
        fleet = TestFleet.up("godwit-fe3", null, 3);
    }

    @AfterAll
    void down() throws Exception {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void theFleetKeepsWorkingWithOneEtcdMemberDown() throws Exception {
        TestFleet.await(() -> fleet.members("a").equals(ALL_READY) && fleet.members("c").equals(ALL_READY));
        assertEquals(ALL_READY, fleet.members("a"));
        TestFleet.await(() -> remotes("b").equals(List.of("hosta", "hostc")));
        assertEquals(List.of("hosta", "hostc"), remotes("b"), "members trust each other through the fleet");
        JsonNode cluster = fleet.host("a").get("/1.0/cluster").json();
        assertEquals(3, cluster.path("endpoints").size(), "every daemon is given all three etcd members: " + cluster);

        // member 1 (10.78.0.254:2379) is the first of every daemon's endpoints; jetcd spreads calls
        // round-robin, so each daemon holds a connection to every member and loses one of three here
        fleet.script("etcd", "stop", "1");
        try {
            long stopped = System.nanoTime();
            // `cluster list` answers through the other two members, from any daemon
            for (String n : List.of("a", "b", "c")) {
                TestFleet.await(() -> clusterList(n).equals(ALL_READY));
                assertEquals(ALL_READY, clusterList(n), "cluster list on " + n + " with etcd member 1 stopped");
                JsonNode state = fleet.host(n).get("/1.0/cluster").json();
                assertTrue(state.path("reachable").asBoolean(false), n + ": " + state);
                assertEquals(0, state.path("fenced").size(), n + " fenced containers: " + state);
            }

            // a new container on hostb is published to the directory and seen from the others
            fleet.launch("b", "w1", "/bin/counter");
            TestContainers.awaitCounting(fleet.host("b"), "w1");
            TestFleet.await(() -> allNodes("a").contains("hostb/w1:RUNNING") && fleet.directory("c").contains("hostb/w1:RUNNING"));
            assertEquals(List.of("hostb/w1:RUNNING"), allNodes("a"), "godwit list --all-nodes on a");
            assertEquals(List.of("hostb/w1:RUNNING"), fleet.directory("c"));

            // evacuating hostb (asked of hostc) takes the lock, plans, moves w1 and marks hostb evacuated
            TestFleet.Cli evac = fleet.godwit("c", "cluster", "evacuate", "hostb");
            assertEquals(0, evac.exit(), evac.out());
            assertTrue(evac.out().contains("hostb is evacuated"), evac.out());
            assertEquals(List.of(), fleet.containers("b"), evac.out());
            String target = fleet.containers("a").contains("w1:RUNNING") ? "a" : "c";
            assertEquals(List.of("w1:RUNNING"), fleet.containers(target), evac.out());
            assertEquals(List.of(), fleet.containers(target.equals("a") ? "c" : "a"), "w1 runs once: " + evac.out());
            TestContainers.awaitCounting(fleet.host(target), "w1");
            String moved = TestFleet.member(target) + "/w1:RUNNING";
            TestFleet.await(() -> fleet.directory("a").equals(List.of(moved)));
            assertEquals(List.of(moved), fleet.directory("a"));

            // the members' leases were kept alive through the other two etcd members all along: still
            // there once more than a lease's time to live (10 s) has passed since the stop
            while (System.nanoTime() - stopped < 15_000_000_000L) {
                Thread.sleep(500);
            }
            assertEquals(List.of("hosta:ready", "hostb:evacuated", "hostc:ready"), clusterList("b"));
        } finally {
            fleet.script("etcd", "start", "1");
        }
        // member 1 rejoins; the fleet goes on, and hostb takes its container back
        TestFleet.Cli restore = fleet.godwit("b", "cluster", "restore", "hostb");
        assertEquals(0, restore.exit(), restore.out());
        assertEquals(List.of("w1:RUNNING"), fleet.containers("b"), restore.out());
        TestFleet.await(() -> clusterList("a").equals(ALL_READY));
        assertEquals(ALL_READY, clusterList("a"));
    }

    /** `godwit cluster list` on node: "name:state" of every live member, sorted. */
    private List<String> clusterList(String node) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode m : cli(node, "cluster", "list", "--format", "json")) {
            out.add(m.path("name").asText() + ":" + m.path("state").asText());
        }
        out.sort(null);
        return out;
    }

    /** `godwit list --all-nodes` on node: "node/name:STATUS", sorted. */
    private List<String> allNodes(String node) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode c : cli(node, "list", "--all-nodes", "--format", "json")) {
            out.add(c.path("node").asText() + "/" + c.path("name").asText() + ":" + c.path("status").asText());
        }
        out.sort(null);
        return out;
    }

    private JsonNode cli(String node, String... args) throws Exception {
        TestFleet.Cli r = fleet.godwit(node, args);
        assertEquals(0, r.exit(), "godwit " + String.join(" ", args) + " on " + node + ":\n" + r.out());
        return JSON.readTree(r.out());
    }

    private List<String> remotes(String node) throws Exception {
        List<String> out = new ArrayList<>();
        fleet.host(node).get("/1.0/remotes").json().forEach(r -> out.add(r.path("name").asText()));
        out.sort(null);
        return out;
    }
}
