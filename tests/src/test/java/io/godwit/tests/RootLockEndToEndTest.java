package io.godwit.tests;

import static io.godwit.tests.TestContainers.importBusybox;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One root, one daemon: a second godwitd on the root of a running one (through another path and
 * with its own socket) refuses to start, says why, and leaves the first one's checkpoint alone.
 */
class RootLockEndToEndTest {
    @RegisterExtension
    final TestDaemon node = TestDaemon.inNewDir();
    private final Path dir = node.dir;
    private final DaemonProcess daemon = node.process;
    @RegisterExtension
    final TestDaemon other = TestDaemon.inNewDir();

    @Test
    void aSecondDaemonOnTheSameRootRefusesAndTouchesNothing() throws Exception {
        daemon.start(TestDaemon.FAST_START);
        DaemonClient api = daemon.client();
        importBusybox(api);
        ApiResponse r = api.send("POST", "/1.0/containers", Map.of("name", "job",
                "spec", Map.of("image", "busybox", "command", List.of("/bin/counter", "50"))));
        assertEquals(201, r.status(), r.body());
        ApiResponse started = api.post("/1.0/containers/job/checkpoints", Map.of());
        assertEquals(202, started.status(), started.body());

        // The same root through another path, another socket: nothing but the lock can tell.
        Files.createSymbolicLink(other.dir.resolve("root"), daemon.root);
        DaemonProcess second = other.process;
        try {
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> second.start(TestDaemon.FAST_START));
            assertTrue(refused.getMessage().contains("exited with 1"), refused.getMessage());
            assertTrue(refused.getMessage().contains("another godwitd (pid "), refused.getMessage());
            assertFalse(refused.getMessage().contains("host: CRIU"), "refused before probing: " + refused.getMessage());
        } finally {
            second.close();
        }
        assertTrue(Files.notExists(second.socket), "the second daemon made no socket");

        JsonNode op = api.waitOperation(started.json().get("id").asText(), o -> { });
        assertEquals("success", op.get("status").asText(), op.toString());
        String id = op.get("result").get("checkpoint").get("id").asText();
        assertEquals(id, api.get("/1.0/containers/job/checkpoints").json().get(0).get("id").asText());
        assertTrue(Files.isRegularFile(daemon.root.resolve("checkpoints/" + id + "/manifest.json")));
        assertEquals("RUNNING", api.get("/1.0/containers/job").json().get("status").asText());
    }
}
