package io.godwit.tests;

import static io.godwit.tests.TestContainers.importBusybox;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The disk is the truth for checkpoints: a catalog emptied or overwritten while the daemon was
 * stopped loses none of the complete checkpoints (they are listed and restore), a catalog of random
 * bytes is moved aside (not deleted) with a message, and only a dump without a manifest is discarded.
 */
class CatalogRecoveryEndToEndTest {
    /** No breakpoint probe: CRIU_FAULT=130 works on every host, and a loaded machine probes for 30 s. */
    private TestDaemon node;
    private DaemonProcess daemon;
    private DaemonClient api;

    @BeforeEach
    void startDaemon() throws Exception {
        node = TestDaemon.inNewDir().start(TestDaemon.FAST_START);
        daemon = node.process;
        api = node.client();
        importBusybox(api);
    }

    @AfterEach
    void cleanUp() throws Exception {
        node.close();
    }

    private List<String> twoCheckpoints(String name) throws Exception {
        ApiResponse r = api.send("POST", "/1.0/containers", Map.of("name", name,
                "spec", Map.of("image", "busybox", "command", List.of("/bin/counter", "50"))));
        assertEquals(201, r.status(), r.body());
        List<String> ids = new ArrayList<>();
        for (boolean stop : new boolean[] {false, true}) {
            ApiResponse started = api.post("/1.0/containers/" + name + "/checkpoints", Map.of("stop", stop));
            assertEquals(202, started.status(), started.body());
            JsonNode op = api.waitOperation(started.json().get("id").asText(), o -> { });
            assertEquals("success", op.get("status").asText(), op.toString());
            ids.add(op.get("result").get("checkpoint").get("id").asText());
        }
        return ids.stream().sorted().toList();
    }

    private List<String> listed(String name) throws Exception {
        List<String> out = new ArrayList<>();
        api.get("/1.0/containers/" + name + "/checkpoints").json().forEach(c -> out.add(c.get("id").asText()));
        return out.stream().sorted().toList();
    }

    private void removeCatalogJournal() throws Exception {
        for (String f : new String[] {"catalog.db-wal", "catalog.db-shm"}) {
            Files.deleteIfExists(daemon.root.resolve(f));
        }
    }

    private void assertRestores(String name) throws Exception {
        ApiResponse started = api.post("/1.0/containers/" + name + "/restore", Map.of("latest", true));
        assertEquals(202, started.status(), started.body());
        JsonNode op = api.waitOperation(started.json().get("id").asText(), o -> { });
        assertEquals("success", op.get("status").asText(), op.toString());
        assertEquals("RUNNING", api.get("/1.0/containers/" + name).json().get("status").asText());
    }

    @Test
    void anEmptiedCatalogKeepsEveryCompleteCheckpointAndDropsOnlyHalfWrittenOnes() throws Exception {
        List<String> ids = twoCheckpoints("job");
        daemon.close();
        Files.write(daemon.root.resolve("catalog.db"), new byte[0]); // `: > catalog.db`
        removeCatalogJournal();
        // A dump cut short (no manifest) and a checkpoint whose pages were damaged afterwards.
        Path halfWritten = Files.createDirectories(daemon.root.resolve("checkpoints/20200101-000000-dead01/images"));
        Files.write(halfWritten.resolve("pages-1.img"), new byte[4096]);
        Path damaged = daemon.root.resolve("checkpoints/20200101-000000-bad002");
        new ProcessBuilder("cp", "-a", daemon.root.resolve("checkpoints/" + ids.get(0)).toString(), damaged.toString())
                .inheritIO().start().waitFor();
        String manifest = Files.readString(damaged.resolve("manifest.json")).replace(ids.get(0), "20200101-000000-bad002");
        Files.writeString(damaged.resolve("manifest.json"), manifest);
        try (Stream<Path> s = Files.list(damaged.resolve("images"))) {
            Path pages = s.filter(p -> p.getFileName().toString().startsWith("pages-")).findFirst().orElseThrow();
            byte[] b = Files.readAllBytes(pages);
            b[10] ^= (byte) 0xff;
            Files.write(pages, b);
        }

        daemon.start(TestDaemon.FAST_START);
        assertEquals(ids, listed("job"), "every complete checkpoint is back in the catalog");
        assertTrue(Files.notExists(halfWritten.getParent()), "a dump without a manifest is discarded");
        assertTrue(Files.isDirectory(damaged), "a damaged checkpoint is kept on disk for a person to look at");
        assertTrue(Files.readString(daemon.log).contains("2 checkpoints rebuilt from their manifests"),
                Files.readString(daemon.log));
        assertRestores("job");
    }

    @Test
    void aCatalogOfRandomBytesIsMovedAsideAndTheCheckpointsStay() throws Exception {
        List<String> ids = twoCheckpoints("calc");
        daemon.close();
        removeCatalogJournal();
        byte[] garbage = new byte[64 * 1024];
        new Random(11).nextBytes(garbage);
        Files.write(daemon.root.resolve("catalog.db"), garbage);

        daemon.start(TestDaemon.FAST_START);
        Path aside;
        try (Stream<Path> s = Files.list(daemon.root)) {
            aside = s.filter(p -> p.getFileName().toString().startsWith("catalog.db.unreadable-")).findFirst()
                    .orElseThrow(() -> new AssertionError("the unreadable catalog was not kept"));
        }
        assertArrayEquals(garbage, Files.readAllBytes(aside), "moved aside as it was");
        String log = Files.readString(daemon.log);
        assertTrue(log.contains("cannot be read") && log.contains("moved aside to " + aside), log);
        assertEquals(ids, listed("calc"));
        assertRestores("calc");
    }
}
