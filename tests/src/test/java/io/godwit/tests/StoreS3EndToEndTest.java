package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import io.godwit.migrator.store.S3Settings;
import io.godwit.migrator.store.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The checkpoint store with its chunks in S3 (docs/STORE.md), with a real daemon, CRIU and a
 * memwriter, against a real S3 server started here (S3Proxy, filesystem backend, on loopback):
 * checkpoints put their chunks, sealed, into the bucket and none on the daemon's disk; an older
 * generation restores and the memwriter verifies all of its memory; deleting a checkpoint removes
 * from the bucket what only it held; a daemon given the wrong secret does not start, and says why.
 */
class StoreS3EndToEndTest {
    private static final String PREFIX = "godwit/e2e/";
    @RegisterExtension final TestDaemon daemon = TestDaemon.inNewDir();
    private S3TestServer server;
    private final String bucket = "godwit-" + TestHosts.runName("s3").toLowerCase().replaceAll("[^a-z0-9-]", "-");

    @BeforeEach
    void startServer() throws Exception {
        server = S3TestServer.start(Files.createDirectories(daemon.dir.resolve("s3")));
        server.createBucket(bucket);
    }

    @AfterEach
    void stopServer() throws Exception {
        daemon.close(); // before its S3 server goes
        server.close();
    }

    /** godwitd.json with the store in the bucket, encrypted, and the secret key in a 0600 file. */
    private Path settings(String secret) throws Exception {
        Path key = daemon.dir.resolve("store.key");
        if (!Files.exists(key)) {
            Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(key, java.security.SecureRandom.getInstanceStrong().generateSeed(32));
        }
        S3Settings s3 = server.settings(daemon.dir, bucket, S3TestServer.KEY_ID, secret);
        Map<String, Object> s3Json = new LinkedHashMap<>();
        s3Json.put("bucket", bucket);
        s3Json.put("prefix", PREFIX);
        s3Json.put("endpoint", server.endpoint().toString());
        s3Json.put("accessKeyId", S3TestServer.KEY_ID);
        s3Json.put("secretKeyFile", s3.secretKeyFile().toString());
        Path f = daemon.dir.resolve("godwitd.json");
        Files.write(f, new ObjectMapper().writeValueAsBytes(Map.of("store",
                Map.of("enabled", true, "codec", "zstd", "keyFile", key.toString(), "s3", s3Json))));
        return f;
    }

    private Set<String> objects() {
        try (S3Client c = server.client()) {
            return c.listObjectsV2Paginator(r -> r.bucket(bucket)).contents().stream().map(S3Object::key)
                    .collect(Collectors.toSet());
        }
    }

    private Set<String> namedByCheckpoints() throws Exception {
        Set<String> keys = new HashSet<>();
        try (var dirs = Files.list(daemon.process.root.resolve("checkpoints"))) {
            for (Path d : dirs.toList()) {
                for (JsonNode f : new ObjectMapper().readTree(d.resolve("chunks.json").toFile()).get("files")) {
                    f.get("chunks").forEach(c -> keys.add(PREFIX + "chunks/" + c.asText()));
                }
            }
        }
        return keys;
    }

    private String console(String name) throws Exception {
        Path f = daemon.process.root.resolve("containers/" + name + "/console.log");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    private void awaitLine(String name, String prefix, int after) throws Exception {
        for (int i = 0; i < 600; i++) {
            List<String> lines = console(name).lines().toList();
            assertFalse(lines.stream().anyMatch(l -> l.startsWith("CORRUPT")), name + ": " + lines);
            if (lines.stream().skip(after).anyMatch(l -> l.startsWith(prefix))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " printed no '" + prefix + "' line:\n" + console(name));
    }

    private JsonNode operation(ApiResponse started) throws Exception {
        assertEquals(202, started.status(), started.body());
        JsonNode op = daemon.client().waitOperation(started.json().get("id").asText(), o -> { });
        assertEquals("success", op.get("status").asText(), op.toString());
        return op;
    }

    @Test
    void checkpointsLiveInTheBucketRestoreWholeAndGcFreesThem() throws Exception {
        daemon.start(List.of("--config", settings(S3TestServer.SECRET).toString(), "--criu-breakpoints", "off"));
        DaemonClient api = daemon.client();
        TestContainers.importBusybox(api);
        // 32 MiB in 32 blocks; each SIGUSR1 rewrites the next 10 % (4 blocks)
        assertEquals(201, api.send("POST", "/1.0/containers", Map.of("name", "job", "spec", Map.of("image", "busybox",
                "command", List.of("/bin/memwriter", "32", "7", "0", "10", "0")))).status());
        awaitLine("job", "ok 1 ", 0);
        String g1 = operation(api.post("/1.0/containers/job/checkpoints", Map.of())).get("result").get("checkpoint")
                .get("id").asText();
        Set<String> afterG1 = objects();
        assertEquals(namedByCheckpoints(), afterG1, "every chunk of the checkpoint is an object under the prefix");
        assertTrue(afterG1.size() > 32 * 16, "32 MiB of memory in 64 KiB chunks: " + afterG1.size());
        assertFalse(Files.exists(daemon.process.root.resolve("store/chunks")), "no chunk on the daemon's disk");

        int lines = console("job").lines().toList().size();
        assertEquals(0, api.post("/1.0/containers/job/exec", Map.of("command", List.of("kill", "-USR1", "1")))
                .json().get("exitCode").asInt());
        awaitLine("job", "rewrote 1 ", lines);
        awaitLine("job", "ok ", lines + 1);
        String g2 = operation(api.post("/1.0/containers/job/checkpoints", Map.of())).get("result").get("checkpoint")
                .get("id").asText();
        assertEquals(namedByCheckpoints(), objects());
        assertTrue(objects().size() - afterG1.size() < afterG1.size() / 4, "generation 2 added only what changed");

        // generation 1 restores: the memwriter checks every byte of its memory after it
        assertEquals("STOPPED", api.post("/1.0/containers/job/state", Map.of("action", "stop", "timeoutSeconds", 2))
                .json().get("status").asText());
        lines = console("job").lines().toList().size();
        operation(api.post("/1.0/containers/job/restore", Map.of("checkpoint", g1)));
        awaitLine("job", "ok ", lines);

        // deleting generation 1 removes from the bucket exactly what only it held
        Set<String> g2Keys = new HashSet<>();
        new ObjectMapper().readTree(daemon.process.root.resolve("checkpoints/" + g2 + "/chunks.json").toFile()).get("files")
                .forEach(f -> f.get("chunks").forEach(c -> g2Keys.add(PREFIX + "chunks/" + c.asText())));
        Set<String> onlyG1 = new HashSet<>(afterG1);
        onlyG1.removeAll(g2Keys);
        assertFalse(onlyG1.isEmpty(), "generation 2 rewrote some of generation 1's chunks");
        assertEquals(200, api.send("DELETE", "/1.0/containers/job/checkpoints/" + g1, null).status());
        assertEquals(g2Keys, objects(), "the bucket holds exactly the chunks of the checkpoint left");
    }

    @Test
    void aDaemonGivenTheWrongSecretDoesNotStartAndSaysWhy() throws Exception {
        Path config = settings("not-the-secret");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> daemon.start(List.of("--config", config.toString(), "--criu-breakpoints", "off")));
        assertTrue(e.getMessage().contains("exited with 2") && e.getMessage().contains("is not the one of access key id "
                + S3TestServer.KEY_ID) && e.getMessage().contains(bucket), e.getMessage());
        assertFalse(Files.readString(daemon.process.log).contains("not-the-secret"), "the secret is never logged");
    }
}
