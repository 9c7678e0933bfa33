package io.godwit.tests;

import static io.godwit.tests.TestContainers.importBusybox;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An operation outlives the daemon that ran it: after a crash and a restart, `godwit wait ID` (GET
 * /1.0/operations/ID) serves it from the catalog as interrupted instead of "not found".
 */
class OperationsAfterRestartEndToEndTest {
    @RegisterExtension
    final TestDaemon node = TestDaemon.inNewDir();
    private final Path dir = node.dir;
    private final DaemonProcess daemon = node.process;

    @AfterEach
    void cleanUp() throws Exception {
        Path stuck = dir.resolve("stuck-criu.pid");
        if (Files.exists(stuck)) { // the stalled criu the killed daemon left: ours, by its pid (the node closes after)
            ProcessHandle.of(Long.parseLong(Files.readString(stuck).strip())).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void anOperationCutShortByACrashIsServedAsInterruptedAfterTheRestart() throws Exception {
        // A criu that never answers (as on a host without debug traps, breakpoints forced on): the
        // checkpoint runs until the daemon dies.
        Path criu = dir.resolve("criu-stalls");
        Files.writeString(criu, """
                #!/bin/sh
                if [ "$CRIU_FAULT" = 130 ]; then exec criu "$@"; fi
                echo $$ > %s
                exec sleep 600
                """.formatted(dir.resolve("stuck-criu.pid")));
        Files.setPosixFilePermissions(criu, PosixFilePermissions.fromString("rwx------"));
        daemon.jvmArgs("-Dgodwit.criu=" + criu);
        daemon.start(List.of("--criu-breakpoints", "on", "--criu-stall-seconds", "600"));
        DaemonClient api = daemon.client();
        importBusybox(api);
        ApiResponse r = api.send("POST", "/1.0/containers", Map.of("name", "job",
                "spec", Map.of("image", "busybox", "command", List.of("/bin/counter", "50"))));
        assertEquals(201, r.status(), r.body());
        ApiResponse started = api.post("/1.0/containers/job/checkpoints", Map.of());
        assertEquals(202, started.status(), started.body());
        String id = started.json().get("id").asText();
        assertEquals("running", api.get("/1.0/operations/" + id).json().path("status").asText());

        daemon.killHard();
        daemon.jvmArgs().start(TestDaemon.FAST_START);

        JsonNode op = api.waitOperation(id, Duration.ofSeconds(10), o -> { });
        assertEquals("interrupted", op.path("status").asText(), op.toString());
        assertEquals("checkpoint", op.path("kind").asText());
        assertEquals("job", op.path("target").asText());
        assertTrue(op.path("error").asText().contains("the daemon stopped"), op.toString());
        assertTrue(api.get("/1.0/operations").json().findValuesAsText("id").contains(id), "listed too");
        assertEquals(404, api.send("GET", "/1.0/operations/no-such-operation", null).status());
        // The container of the cut-short checkpoint still runs.
        assertEquals("RUNNING", api.get("/1.0/containers/job").json().path("status").asText());
    }
}
