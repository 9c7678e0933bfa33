package io.godwit.tests;

import static io.godwit.tests.TestContainers.importBusybox;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reads never write: with the root's file system full, listing the containers still works, and
 * shows a container whose init ended as stopped (the list used to persist that, and failed).
 */
class FullDiskEndToEndTest {
    @RegisterExtension
    final TestDaemon node = TestDaemon.inNewDir();
    private final Path dir = node.dir;
    private final DaemonProcess daemon = node.process;

    @AfterEach
    void cleanUp() throws Exception {
        Files.deleteIfExists(dir.resolve("root/filler"));
        node.close(); // unmounts the small root too
    }

    @Test
    void listWorksOnAFullRootAndShowsTheTruth() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64m", "godwit-test-full", root.toString())
                .inheritIO().start();
        assertEquals(0, mount.waitFor(), "mount a small tmpfs as the root");
        daemon.start(TestDaemon.FAST_START);
        DaemonClient api = daemon.client();
        importBusybox(api);
        ApiResponse r = api.send("POST", "/1.0/containers", Map.of("name", "brief",
                "spec", Map.of("image", "busybox", "command", List.of("/bin/sleep", "1000"))));
        assertEquals(201, r.status(), r.body());
        assertEquals("RUNNING", r.json().get("status").asText());
        int init = r.json().get("pid").asInt();

        fill(root.resolve("filler"));
        // The init ends while the disk is full: state.json still says RUNNING.
        ProcessHandle.of(init).ifPresent(ProcessHandle::destroyForcibly);
        for (int i = 0; i < 100 && ProcessHandle.of(init).isPresent(); i++) {
            Thread.sleep(50);
        }

        ApiResponse list = api.send("GET", "/1.0/containers", null);
        assertEquals(200, list.status(), list.body());
        assertEquals("STOPPED", list.json().get(0).get("status").asText(), list.body());
        assertEquals(200, api.send("GET", "/1.0/containers/brief", null).status());
        try (var files = Files.walk(root.resolve("containers"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp file left");
        }
    }

    /** Writes until the file system says it is full. */
    private static void fill(Path file) throws IOException {
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
    }
}
