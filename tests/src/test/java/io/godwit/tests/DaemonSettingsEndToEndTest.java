package io.godwit.tests;

import static io.godwit.tests.TestContainers.importBusybox;
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
import org.junit.jupiter.api.extension.RegisterExtension;

/** godwitd --config: the file's settings apply, the options given override them, bad settings stop it. */
class DaemonSettingsEndToEndTest {
    @RegisterExtension
    final TestDaemon node = TestDaemon.inNewDir();
    private final Path dir = node.dir;
    private final DaemonProcess daemon = node.process;

    @Test
    void settingsFileDefaultsApplyAndOptionsOverrideIt() throws Exception {
        Path settings = dir.resolve("godwitd.json");
        // The file names another root; the --root option DaemonProcess gives must win.
        Files.writeString(settings, """
                {"root": "%s", "logLevel": "debug",
                 "defaults": {"limits": {"memoryBytes": "64M", "pids": 32}}}""".formatted(dir.resolve("file-root")));
        daemon.start(List.of("--config", settings.toString()));
        DaemonClient api = daemon.client();
        assertEquals(daemon.root.toString(), api.get("/1.0").json().get("root").asText(), "--root overrides the file");
        assertTrue(Files.notExists(dir.resolve("file-root")));
        importBusybox(api);

        ApiResponse plain = api.send("POST", "/1.0/containers", Map.of("name", "plain",
                "spec", Map.of("image", "busybox", "command", List.of("/bin/counter", "50"))));
        assertEquals(201, plain.status(), plain.body());
        JsonNode limits = plain.json().get("spec").get("limits");
        assertEquals(64L << 20, limits.get("memoryBytes").asLong(), limits.toString());
        assertEquals(32, limits.get("pids").asLong(), limits.toString());
        assertEquals(0, limits.get("cpuMillis").asLong(), "no default: unlimited");

        ApiResponse own = api.send("POST", "/1.0/containers", Map.of("name", "own",
                "spec", Map.of("image", "busybox", "command", List.of("/bin/counter", "50"),
                        "limits", Map.of("memoryBytes", 0))));
        assertEquals(201, own.status(), own.body());
        assertEquals(0, own.json().get("spec").get("limits").get("memoryBytes").asLong(), "a given limit wins");
        assertEquals(32, own.json().get("spec").get("limits").get("pids").asLong());
        assertEquals("RUNNING", api.get("/1.0/containers/plain").json().get("status").asText());
    }

    @Test
    void badSettingsStopTheDaemonWithAMessage() throws Exception {
        Path settings = dir.resolve("godwitd.json");
        Files.writeString(settings, "{\"logLevel\": \"debug\", \"defaults\": {\"limits\": {\"memory\": \"64M\"}}}");
        DaemonProcess bad = new DaemonProcess(dir);
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> bad.start(List.of("--config", settings.toString())));
        assertTrue(e.getMessage().contains("exited with 2"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown key 'defaults.limits.memory'"), e.getMessage());
        assertTrue(Files.notExists(bad.root), "a daemon with bad settings creates nothing");
    }
}
