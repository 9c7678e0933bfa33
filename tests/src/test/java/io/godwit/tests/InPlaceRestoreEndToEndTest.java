package io.godwit.tests;

import static io.godwit.tests.TestContainers.awaitCountAbove;
import static io.godwit.tests.TestContainers.importBusybox;
import static io.godwit.tests.TestContainers.launchCounter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A restore of the checkpoint that stopped a container is made onto the container's own change
 * layer when nothing touched it since, so files keep their inode numbers; once the container ran
 * again (or anything wrote there), the restore copies the checkpoint's files as before, and the
 * container carries on from the checkpoint, not from where it ran to later.
 */
class InPlaceRestoreEndToEndTest {
    @RegisterExtension
    final TestDaemon node = TestDaemon.inNewDir();

    private DaemonClient api;

    private JsonNode run(ApiResponse started) throws Exception {
        assertEquals(202, started.status(), started.body());
        JsonNode op = api.waitOperation(started.json().get("id").asText(), o -> { });
        assertEquals("success", op.path("status").asText(), op.toString());
        return op;
    }

    private long inode(String container, String path) throws Exception {
        ApiResponse r = api.post("/1.0/containers/" + container + "/exec",
                Map.of("command", List.of("stat", "-c", "%i", path)));
        assertEquals(0, r.json().path("exitCode").asInt(-1), r.body());
        return Long.parseLong(r.json().path("output").asText().strip());
    }

    private String daemonLog() throws Exception {
        return Files.readString(node.process.log);
    }

    private int exec(String container, String script) throws Exception {
        ApiResponse r = api.post("/1.0/containers/" + container + "/exec", Map.of("command", List.of("sh", "-c", script)));
        assertEquals(200, r.status(), r.body());
        return r.json().path("exitCode").asInt(-1);
    }

    private int inPlaceRestores() throws Exception {
        return daemonLog().split("restoring keeper in place", -1).length - 1;
    }

    @Test
    void anUntouchedLayerIsRestoredInPlaceAndATouchedOneIsCopied() throws Exception {
        node.start(TestDaemon.FAST_START);
        api = node.client();
        importBusybox(api);
        launchCounter(api, "keeper");
        awaitCountAbove(api, "keeper", 3);
        assertEquals(0, exec("keeper", "mkdir /tmp/kept && echo x > /tmp/kept/anchor"));
        long file = inode("keeper", "/tmp/kept/anchor"), dir = inode("keeper", "/tmp/kept");

        run(api.post("/1.0/containers/keeper/checkpoints", Map.of("stop", true)));
        run(api.post("/1.0/containers/keeper/restore", Map.of("latest", true)));
        assertEquals(1, inPlaceRestores(), "not restored in place");
        assertEquals(file, inode("keeper", "/tmp/kept/anchor"), "a file got a new inode number");
        assertEquals(dir, inode("keeper", "/tmp/kept"), "a directory got a new inode number");
        long checkpointed = awaitCountAbove(api, "keeper", 3);

        // checkpointed and stopped again, then started afresh: its layer is no longer the checkpoint's
        run(api.post("/1.0/containers/keeper/checkpoints", Map.of("stop", true)));
        assertEquals(200, api.post("/1.0/containers/keeper/state", Map.of("action", "start")).status());
        assertEquals(0, exec("keeper", "echo later > /tmp/kept/written-after-the-checkpoint"));
        assertEquals(200, api.post("/1.0/containers/keeper/state", Map.of("action", "stop")).status());

        run(api.post("/1.0/containers/keeper/restore", Map.of("latest", true)));
        assertEquals(1, inPlaceRestores(), "restored in place over a layer that ran on since the checkpoint");
        assertEquals(1, exec("keeper", "test -e /tmp/kept/written-after-the-checkpoint"),
                "the restore kept a file written after its checkpoint");
        assertTrue(awaitCountAbove(api, "keeper", checkpointed) > checkpointed, "the counter does not carry on");
    }
}
