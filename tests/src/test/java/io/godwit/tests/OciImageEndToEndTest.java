package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An OCI archive made here as skopeo would write it (the busybox test rootfs as a gzip layer, then a
 * layer with the application, a whiteout and a hard link, and a config with Entrypoint, Cmd, Env,
 * WorkingDir and User) goes through the real daemon: import, a launch without a command that runs
 * the config's Entrypoint as its User, export and import back under a second alias (both kept), and
 * publish of the stopped container, whose image carries its change and its defaults to a new container.
 */
class OciImageEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final TestDaemon node = TestDaemon.inNewDir();

    @Test
    void importLaunchExportReimportPublish() throws Exception {
        node.start(TestDaemon.FAST_START);
        DaemonClient api = node.client();
        Path archive = ociArchive(Files.createDirectories(node.dir.resolve("build")));

        ApiResponse imported = api.post("/1.0/images", Map.of("alias", "app", "path", archive.toString()));
        assertEquals(201, imported.status(), imported.body());
        JsonNode image = imported.json();
        assertEquals("1000:1000", image.path("config").path("user").asText(), image.toString());

        // No command: the config's Entrypoint + Cmd run, with its Env, in its WorkingDir, as its User.
        launch(api, "first", "app");
        assertEquals("hi hello in /app as 1000", awaitFile(api, "first", "/app/said-first"));
        assertEquals("1", exec(api, "first", "test -e /bin/arping; echo $?"), "the whiteout removed /bin/arping");
        assertEquals(exec(api, "first", "stat -c %i /app/run.sh"), exec(api, "first", "stat -c %i /app/run-link"),
                "the hard link is one file");

        // Export, then import back under a second alias: one image that keeps both aliases.
        Path exported = node.dir.resolve("exported.oci.tar");
        ApiResponse ex = api.post("/1.0/images/app/export", Map.of("path", exported.toString()));
        assertEquals(200, ex.status(), ex.body());
        assertEquals(Files.size(exported), ex.json().path("bytes").asLong());
        ApiResponse again = api.post("/1.0/images", Map.of("alias", "app-again", "path", exported.toString()));
        assertEquals(201, again.status(), again.body());
        assertEquals(image.path("fingerprint").asText(), again.json().path("fingerprint").asText(),
                "the exported archive holds the same tree");
        assertEquals(List.of("app", "app-again"), aliases(api.get("/1.0/images/app-again").json()));
        assertEquals(image.path("config"), again.json().path("config"), "the defaults survived the round trip");

        // Publish the stopped container: its change (/app/marker) and its image's defaults go with it.
        // (Each container writes its own said-HOSTNAME: the published tree holds first's already.)
        stop(api, "first");
        ApiResponse published = api.post("/1.0/containers/first/publish", Map.of("alias", "published"));
        assertEquals(201, published.status(), published.body());
        assertFalse(published.json().path("fingerprint").asText().equals(image.path("fingerprint").asText()),
                "the published image has the container's changes");
        launch(api, "second", "published");
        assertEquals("hi hello in /app as 1000 after first", awaitFile(api, "second", "/app/said-second"));
        assertEquals(2, api.get("/1.0/images").json().size(), "app (with two aliases) and published");
        for (String c : List.of("first", "second")) {
            api.send("DELETE", "/1.0/containers/" + c + "?force=true", null);
        }
    }

    private static List<String> aliases(JsonNode image) {
        return JSON.convertValue(image.path("aliases"), JSON.getTypeFactory().constructCollectionType(List.class,
                String.class));
    }

    private static void launch(DaemonClient api, String name, String image) throws IOException {
        ApiResponse r = api.send("POST", "/1.0/containers", Map.of("name", name, "spec", Map.of("image", image)));
        assertEquals(201, r.status(), r.body());
        assertEquals(List.of("/bin/sh", "/app/run.sh", "hello"),
                JSON.convertValue(r.json().path("spec").path("command"), List.class), r.body());
    }

    private static void stop(DaemonClient api, String name) throws IOException {
        ApiResponse r = api.post("/1.0/containers/" + name + "/state", Map.of("action", "stop", "timeoutSeconds", 5));
        assertTrue(r.status() < 300, r.body());
    }

    private static String exec(DaemonClient api, String name, String script) throws IOException {
        ApiResponse r = api.post("/1.0/containers/" + name + "/exec", Map.of("command", List.of("/bin/sh", "-c", script)));
        assertEquals(200, r.status(), r.body());
        return r.json().path("output").asText().strip();
    }

    /** Waits (at most 30 s) for the container's script to write the file; returns its content. */
    private static String awaitFile(DaemonClient api, String name, String file) throws Exception {
        for (int i = 0; i < 300; i++) {
            String out = exec(api, name, "cat " + file + " 2>/dev/null");
            if (!out.isEmpty()) {
                return out;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError(name + " never wrote " + file);
    }

    /** An OCI archive: layout with two layers and a config, tarred as skopeo's oci-archive: is. */
    private static Path ociArchive(Path dir) throws Exception {
        Path layout = Files.createDirectories(dir.resolve("layout"));
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        Path base = dir.resolve("base.tar.gz");
        run("tar", "-c", "-z", "-f", base.toString(), "--numeric-owner", "-C",
                Path.of(System.getProperty("godwit.testfs"), "rootfs").toString(), ".");

        Path app = Files.createDirectories(dir.resolve("app-layer"));
        Path appDir = Files.createDirectories(app.resolve("app"));
        Files.writeString(appDir.resolve("run.sh"), """
                after=""
                [ -f /app/marker ] && after=" after $(cat /app/marker)"
                echo first > /app/marker
                echo "$GREETING $1 in $(pwd) as $(id -u)$after" > /app/said-$(hostname)
                exec sleep 3600
                """);
        Files.createLink(appDir.resolve("run-link"), appDir.resolve("run.sh"));
        Files.setPosixFilePermissions(appDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.createDirectories(app.resolve("bin"));
        Files.createFile(app.resolve("bin/.wh.arping"));
        Path appTar = dir.resolve("app.tar");
        run("tar", "-c", "-f", appTar.toString(), "--numeric-owner", "-C", app.toString(), "app", "bin");

        ObjectNode config = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
        ObjectNode c = config.putObject("config");
        c.putArray("Entrypoint").add("/bin/sh").add("/app/run.sh");
        c.putArray("Cmd").add("hello");
        c.putArray("Env").add("GREETING=hi").add("PATH=/bin:/sbin:/usr/bin");
        c.put("WorkingDir", "/app").put("User", "1000:1000");
        config.putObject("rootfs").put("type", "layers").putArray("diff_ids")
                .add(sha256(run("sh", "-c", "gzip -dc '" + base + "' | sha256sum")))
                .add(sha256(run("sha256sum", appTar.toString())));
        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.set("config", blob(blobs, JSON.writeValueAsBytes(config), "application/vnd.oci.image.config.v1+json"));
        manifest.putArray("layers").add(blob(blobs, Files.readAllBytes(base), "application/vnd.oci.image.layer.v1.tar+gzip"))
                .add(blob(blobs, Files.readAllBytes(appTar), "application/vnd.oci.image.layer.v1.tar"));
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
        index.putArray("manifests").add(blob(blobs, JSON.writeValueAsBytes(manifest),
                "application/vnd.oci.image.manifest.v1+json"));
        Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Path archive = dir.resolve("app.oci.tar");
        run("tar", "-c", "-f", archive.toString(), "-C", layout.toString(), "oci-layout", "index.json", "blobs");
        return archive;
    }

    private static ObjectNode blob(Path blobs, byte[] bytes, String mediaType) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        String hex = HexFormat.of().formatHex(sha.digest(bytes));
        Files.write(blobs.resolve(hex), bytes);
        return JSON.createObjectNode().put("mediaType", mediaType).put("digest", "sha256:" + hex).put("size", bytes.length);
    }

    private static String sha256(String sha256sumLine) {
        return "sha256:" + sha256sumLine.strip().split("\\s+")[0];
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }
}
