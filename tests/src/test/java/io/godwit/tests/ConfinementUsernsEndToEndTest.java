package io.godwit.tests;

import static io.godwit.tests.ConfinementEndToEndTest.PID;
import static io.godwit.tests.ConfinementEndToEndTest.assertExecConfinedAsInit;
import static io.godwit.tests.ConfinementEndToEndTest.assertNothingEscaped;
import static io.godwit.tests.ConfinementEndToEndTest.awaitRound;
import static io.godwit.tests.ConfinementEndToEndTest.rounds;
import static io.godwit.tests.ConfinementEndToEndTest.run;
import static io.godwit.tests.ConfinementEndToEndTest.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A container with its own user namespace through real daemons and the real CRIU: the daemon records
 * the host range it picked in the spec, the init runs as an unprivileged host uid of it, the escape
 * probe (as init and through `godwit exec`) finds every door shut, and the mapping and the confinement
 * are the same after checkpoint --stop + restore and after a cold move to another daemon.
 */
class ConfinementUsernsEndToEndTest {

    private static JsonNode container(DaemonClient api, String name) throws Exception {
        JsonNode c = api.get("/1.0/containers/" + name).json();
        assertEquals("RUNNING", c.path("status").asText(), c.toString());
        return c;
    }

    /** The init's uid_map as the host sees it, and its host uid, checked against the recorded range. */
    private static void assertMapped(DaemonClient api, String name, JsonNode ns) throws Exception {
        String pid = container(api, name).path("pid").asText();
        String map = Files.readString(Path.of("/proc/" + pid + "/uid_map")).trim().replaceAll("\\s+", " ");
        assertEquals("0 " + ns.path("hostUid").asLong() + " " + ns.path("size").asLong(), map);
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        assertTrue(status.contains("Uid:\t" + ns.path("hostUid").asLong() + "\t"), status);
        ApiResponse id = api.post("/1.0/containers/" + name + "/exec", Map.of("command", List.of("id", "-u")));
        assertEquals("0\n", id.json().path("stdout").asText(), "exec runs as the container's root");
    }

    @Test
    void userNamespaceKeptAcrossCheckpointRestoreAndAColdMove() throws Exception {
        try (TestHosts hosts = TestHosts.up("godwit-un", Map.of())) {
            DaemonClient a = hosts.a();
            ApiResponse r = a.post("/1.0/containers", Map.of("name", "uns", "spec", Map.of("image", "busybox",
                    "command", List.of("/bin/escape", "--serve", PID), "security", Map.of("userns", Map.of()))));
            assertEquals(201, r.status(), r.body());
            JsonNode ns = r.json().path("spec").path("security").path("userns");
            assertTrue(ns.path("hostUid").asLong() > 0 && ns.path("size").asLong() == 65536, r.body());
            String first = awaitRound(() -> console(hosts, "a"), 1);
            assertNothingEscaped(first, "userns container");
            assertMapped(a, "uns", ns);
            assertExecConfinedAsInit(a, "uns", first);

            run(a, a.post("/1.0/containers/uns/checkpoints", Map.of("stop", true)));
            run(a, a.post("/1.0/containers/uns/restore", Map.of("latest", true)));
            assertMapped(a, "uns", ns);
            int seen = rounds(console(hosts, "a"));
            signal(a, "uns");
            assertNothingEscaped(awaitRound(() -> console(hosts, "a"), seen + 1), "userns after restore");

            JsonNode op = hosts.awaitOperation("a", hosts.startMove("uns", "hostb", "cold", null));
            assertEquals("success", op.path("status").asText(), op.toString());
            DaemonClient b = hosts.b();
            assertEquals(ns, container(b, "uns").path("spec").path("security").path("userns"), "range travels");
            assertMapped(b, "uns", ns);
            seen = rounds(console(hosts, "b"));
            signal(b, "uns");
            assertNothingEscaped(awaitRound(() -> console(hosts, "b"), seen + 1), "userns after a cold move");
            hosts.deleteAllContainers();
        }
    }

    private static String console(TestHosts hosts, String node) {
        try {
            return hosts.console(node, "uns");
        } catch (Exception e) {
            return "";
        }
    }
}
