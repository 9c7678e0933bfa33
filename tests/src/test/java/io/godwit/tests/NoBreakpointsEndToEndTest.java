package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The path a host without debug traps forces on Godwit, run on every machine whatever it
 * delivers: both daemons with breakpoints forced off (criuBreakpoints=off, so every criu, the
 * monitor's restores and lazy-pages included, runs with CRIU_FAULT=130). A counter is
 * checkpointed and restored locally, moved cold to b and lazily back, counting on throughout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NoBreakpointsEndToEndTest {
    private static final String OFF = "-Dgodwit.criuBreakpoints=off";
    private TestHosts hosts;

    @BeforeAll
    void up() throws Exception {
        hosts = TestHosts.up("godwit-nb", Map.of("GODWITD_JAVA_OPTS_A", OFF, "GODWITD_JAVA_OPTS_B", OFF));
    }

    @AfterAll
    void down() throws Exception {
        if (hosts != null) {
            hosts.deleteAllContainers();
            hosts.close();
        }
    }

    private long count(String node, String name) throws Exception {
        return TestContainers.count(hosts.host(node), name);
    }

    private long awaitCountAbove(String node, String name, long floor) throws Exception {
        return TestContainers.awaitCountAbove(hosts.host(node), name, floor);
    }

    private JsonNode run(String node, ApiResponse started) throws Exception {
        assertEquals(202, started.status(), started.body());
        JsonNode op = hosts.awaitOperation(node, started.json().get("id").asText());
        assertEquals("success", op.path("status").asText(), op.toString());
        return op;
    }

    @Test
    void checkpointRestoreAndMovesThereAndBackWithoutBreakpoints() throws Exception {
        for (String node : List.of("a", "b")) {
            JsonNode facts = HostProbeEndToEndTest.awaitHost(hosts.host(node)).path("facts");
            assertEquals("forced-off", facts.path("breakpoints").asText(), facts.toString());
        }
        hosts.launch("a", "nb", "/bin/counter", "50");
        long c = awaitCountAbove("a", "nb", 3);

        run("a", hosts.a().post("/1.0/containers/nb/checkpoints", Map.of("stop", true)));
        assertEquals("STOPPED", hosts.a().get("/1.0/containers/nb").json().path("status").asText());
        run("a", hosts.a().post("/1.0/containers/nb/restore", Map.of("latest", true)));
        c = awaitCountAbove("a", "nb", c);

        JsonNode cold = hosts.awaitOperation("a", hosts.startMove("nb", "hostb", "cold", null));
        assertEquals("success", cold.path("status").asText(), cold.toString());
        assertEquals(List.of("nb:RUNNING"), hosts.containers("b"));
        assertEquals(List.of(), hosts.containers("a"));
        c = awaitCountAbove("b", "nb", c);

        JsonNode lazy = hosts.awaitOperation("b", hosts.startMove("nb", "hosta", "lazy", null));
        assertEquals("success", lazy.path("status").asText(), lazy.toString());
        assertTrue(lazy.toString().contains("lazy"), lazy.toString());
        hosts.awaitContainers("a", List.of("nb:RUNNING"));
        assertEquals(List.of("nb:RUNNING"), hosts.containers("a"));
        assertEquals(List.of(), hosts.containers("b"));
        awaitCountAbove("a", "nb", c);
    }
}
