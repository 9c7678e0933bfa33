package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The checkpoint store with real daemons, CRIU and containers (docs/STORE.md): generations of a
 * memwriter that rewrites a set fraction of its memory share their unchanged chunks; any generation
 * restores; a flipped byte in a chunk is refused by name; GC frees what only a deleted checkpoint
 * held; a daemon SIGKILLed mid-write and mid-GC loses no complete checkpoint and leaks nothing; an
 * encrypted store holds no memory in clear and needs its key; export and import between two daemons,
 * then a warm start and a restore from the import.
 */
class StoreEndToEndTest {
    private static final long SEED = 42;
    private Path dir;
    private Path dirB;
    private DaemonProcess daemon;
    private DaemonProcess daemonB;

    @AfterEach
    void cleanUp() throws Exception {
        for (DaemonProcess d : new DaemonProcess[] {daemon, daemonB}) {
            if (d == null) {
                continue;
            }
            try {
                DaemonClient api = d.client();
                for (JsonNode c : api.get("/1.0/containers").json()) {
                    api.send("DELETE", "/1.0/containers/" + c.get("name").asText() + "?force=true", null);
                }
            } catch (Exception e) {
                // a daemon that is down has nothing to delete; TestDirs unmounts what is left
            } finally {
                d.close();
            }
        }
        TestDirs.remove(dir);
        TestDirs.remove(dirB);
    }

    private static Path settings(Path dir, String storeJson) throws Exception {
        Path f = dir.resolve("godwitd.json");
        Files.writeString(f, "{\"store\": " + storeJson + "}");
        return f;
    }

    private static DaemonProcess start(DaemonProcess d, Path settings) throws Exception {
        // breakpoints off, as CatalogRecoveryEndToEndTest: no start-up probe (slow, and on a loaded
        // machine it once judged breakpoints to work where a dump then waited for a trap)
        d.start(List.of("--config", settings.toString(), "--criu-breakpoints", "off"));
        ApiResponse img = d.client().post("/1.0/images", Map.of("alias", "busybox",
                "path", Path.of(System.getProperty("godwit.testfs"), "rootfs").toString()));
        assertTrue(img.status() == 201 || img.status() == 409, img.body());
        return d;
    }

    private static void launchMemwriter(DaemonClient api, String name, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("/bin/memwriter"));
        cmd.addAll(List.of(args));
        ApiResponse r = api.send("POST", "/1.0/containers", Map.of("name", name,
                "spec", Map.of("image", "busybox", "command", cmd)));
        assertEquals(201, r.status(), r.body());
    }

    private static String console(DaemonProcess d, String name) throws Exception {
        Path f = d.root.resolve("containers/" + name + "/console.log");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    /** Waits (bounded) until the console holds a line starting with prefix, past the first `after` lines. */
    private static void awaitLine(DaemonProcess d, String name, String prefix, int after) throws Exception {
        for (int i = 0; i < 600; i++) {
            List<String> lines = console(d, name).lines().toList();
            assertFalse(lines.stream().anyMatch(l -> l.startsWith("CORRUPT")), name + ": " + lines);
            if (lines.stream().skip(after).anyMatch(l -> l.startsWith(prefix))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " printed no '" + prefix + "' line:\n" + console(d, name));
    }

    private static JsonNode operation(DaemonClient api, ApiResponse started) throws Exception {
        assertEquals(202, started.status(), started.body());
        return api.waitOperation(started.json().get("id").asText(), op -> { });
    }

    private static String checkpoint(DaemonClient api, String name) throws Exception {
        JsonNode op = operation(api, api.post("/1.0/containers/" + name + "/checkpoints", Map.of()));
        assertEquals("success", op.get("status").asText(), op.toString());
        return op.get("result").get("checkpoint").get("id").asText();
    }

    /** Rewrites the memwriter's next few percent (SIGUSR1) and waits until it has. */
    private static void rewrite(DaemonProcess d, String name, int done) throws Exception {
        int lines = console(d, name).lines().toList().size();
        ApiResponse r = d.client().post("/1.0/containers/" + name + "/exec", Map.of("command", List.of("kill", "-USR1", "1")));
        assertEquals(0, r.json().get("exitCode").asInt(), r.body());
        awaitLine(d, name, "rewrote " + (done + 1) + " ", lines);
        awaitLine(d, name, "ok ", lines + 1);
    }

    private static void stop(DaemonClient api, String name) throws Exception {
        JsonNode s = api.post("/1.0/containers/" + name + "/state", Map.of("action", "stop", "timeoutSeconds", 2)).json();
        assertEquals("STOPPED", s.get("status").asText(), s.toString());
    }

    /** Restores name from id, then checks the memwriter goes on verifying every page. */
    private static void restoreAndVerify(DaemonProcess d, String name, String id) throws Exception {
        int lines = console(d, name).lines().toList().size();
        JsonNode op = operation(d.client(), d.client().post("/1.0/containers/" + name + "/restore", Map.of("checkpoint", id)));
        assertEquals("success", op.get("status").asText(), op.toString());
        awaitLine(d, name, "ok ", lines);
    }

    private static long chunkBytes(DaemonProcess d) throws Exception {
        try (Stream<Path> s = Files.walk(d.root.resolve("store/chunks"))) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static Set<String> chunkFiles(DaemonProcess d) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try (Stream<Path> s = Files.walk(d.root.resolve("store/chunks"))) {
                return new HashSet<>(s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList());
            } catch (java.io.UncheckedIOException e) {
                // a chunk's temp file renamed under the walk by a write going on: list again
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 20) {
                    throw e;
                }
            }
        }
    }

    /** Every chunk any checkpoint's chunks.json names. */
    private static Set<String> namedChunks(DaemonProcess d) throws Exception {
        Set<String> named = new HashSet<>();
        try (Stream<Path> s = Files.list(d.root.resolve("checkpoints"))) {
            for (Path c : s.toList()) {
                JsonNode list = DaemonClient.json().readTree(c.resolve("chunks.json").toFile());
                list.get("files").forEach(f -> f.get("chunks").forEach(n -> named.add(n.asText())));
            }
        }
        return named;
    }

    private static List<String> chunksOf(DaemonProcess d, String id) throws Exception {
        JsonNode list = DaemonClient.json().readTree(d.root.resolve("checkpoints/" + id + "/chunks.json").toFile());
        for (JsonNode f : list.get("files")) {
            if (f.get("path").asText().contains("pages-")) {
                return DaemonClient.json().convertValue(f.get("chunks"), List.class);
            }
        }
        throw new AssertionError("no pages file in " + list);
    }

    /** 64 bytes of memwriter's memory at word 4096 (generation 0 of its first block), as in the images. */
    private static byte[] memoryPattern(long seed) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 4096; i < 4104; i++) {
            long x = i * 0x9E3779B97F4A7C15L + seed;
            x ^= x >>> 31;
            x *= 0xBF58476D1CE4E5B9L;
            x ^= x >>> 29;
            b.putLong(x);
        }
        return b.array();
    }

    private static boolean storeContains(DaemonProcess d, byte[] needle) throws Exception {
        try (Stream<Path> s = Files.walk(d.root.resolve("store"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                byte[] hay = Files.readAllBytes(p);
                outer:
                for (int i = 0; i + needle.length <= hay.length; i++) {
                    for (int j = 0; j < needle.length; j++) {
                        if (hay[i + j] != needle[j]) {
                            continue outer;
                        }
                    }
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void generationsShareChunksAnyRestoresADamagedChunkIsRefusedAndGcFreesOnlyWhatIsUnused() throws Exception {
        dir = TestHosts.runDir("godwit-store");
        daemon = start(new DaemonProcess(dir), settings(dir, "{\"enabled\": true, \"codec\": \"zstd\"}"));
        DaemonClient api = daemon.client();
        // 64 MiB in 64 blocks; each SIGUSR1 rewrites the next 5 % (4 blocks, 6.25 %)
        launchMemwriter(api, "job", "64", String.valueOf(SEED), "0", "5", "0");
        awaitLine(daemon, "job", "ok 1 ", 0);
        String g1 = checkpoint(api, "job");
        long first = chunkBytes(daemon);
        assertTrue(first > 60L << 20, "the first generation stores the whole memory: " + first);
        assertTrue(storeContains(daemon, memoryPattern(SEED)),
                "the control: a plain store holds memwriter's (incompressible) memory as it is");
        String g2 = null;
        for (int gen = 2; gen <= 3; gen++) {
            long before = chunkBytes(daemon);
            rewrite(daemon, "job", gen - 2);
            String id = checkpoint(api, "job");
            g2 = gen == 2 ? id : g2;
            long added = chunkBytes(daemon) - before;
            assertTrue(added < 0.12 * first, "generation " + gen + " added " + added + " bytes to " + first
                    + ": more than the 6.25 % that changed");
        }
        String g3 = api.get("/1.0/containers/job/checkpoints").json().get(0).get("id").asText();
        assertFalse(Files.exists(daemon.root.resolve("checkpoints/" + g3 + "/images")), "no full copy is kept");

        // An older generation restores, and the memwriter verifies all of its memory after it.
        stop(api, "job");
        restoreAndVerify(daemon, "job", g2);

        // A flipped byte in one chunk of generation 3: refused by the chunk's name, the container kept as it was.
        stop(api, "job");
        List<String> g3Chunks = chunksOf(daemon, g3);
        List<String> g2Chunks = chunksOf(daemon, g2);
        String victim = g3Chunks.stream().filter(c -> !g2Chunks.contains(c)).findFirst().orElseThrow();
        Path file = daemon.root.resolve("store/chunks/" + victim.substring(0, 2) + "/" + victim);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0x01);
        }
        JsonNode failed = operation(api, api.post("/1.0/containers/job/restore", Map.of("checkpoint", g3)));
        assertEquals("failure", failed.get("status").asText(), failed.toString());
        String error = failed.get("error").asText();
        assertTrue(error.contains("damaged") && error.contains(victim), error);
        assertEquals("STOPPED", api.get("/1.0/containers/job").json().get("status").asText());

        // Deleting generation 1 frees exactly the chunks only it held.
        Set<String> g1Only = new HashSet<>(chunksOf(daemon, g1));
        g1Only.removeAll(g2Chunks);
        g1Only.removeAll(g3Chunks);
        assertFalse(g1Only.isEmpty(), "generation 1 held chunks the later ones rewrote");
        assertEquals(200, api.send("DELETE", "/1.0/containers/job/checkpoints/" + g1, null).status());
        Set<String> left = chunkFiles(daemon);
        assertEquals(namedChunks(daemon), left, "the store holds exactly the chunks its checkpoints name");
        assertTrue(g1Only.stream().noneMatch(left::contains));
        restoreAndVerify(daemon, "job", g2);
    }

    @Test
    void aDaemonSigkilledMidWriteAndMidGcLosesNoCompleteCheckpointAndLeaksNothing() throws Exception {
        dir = TestHosts.runDir("godwit-store");
        Path pause = dir.resolve("pause-ms");
        Path cfg = settings(dir, "{\"enabled\": true}");
        daemon = start(new DaemonProcess(dir).jvmArgs("-Dgodwit.store.testPauseFile=" + pause), cfg);
        DaemonClient api = daemon.client();
        // 32 MiB; each SIGUSR1 rewrites half of it, so that a write and a GC have hundreds of chunks to do
        launchMemwriter(api, "job", "32", String.valueOf(SEED), "0", "50", "0");
        awaitLine(daemon, "job", "ok 1 ", 0);
        String g1 = checkpoint(api, "job");

        // SIGKILL in the middle of writing generation 2's chunks.
        rewrite(daemon, "job", 0);
        Files.writeString(pause, "20");
        int before = chunkFiles(daemon).size();
        String op = api.post("/1.0/containers/job/checkpoints", Map.of()).json().get("id").asText();
        for (int i = 0; i < 600 && chunkFiles(daemon).size() < before + 20; i++) {
            Thread.sleep(50);
        }
        // The pages go into the store while CRIU dumps them, the rest after: either phase is mid-write.
        String phase = api.get("/1.0/operations/" + op).json().get("phase").asText();
        assertTrue(Set.of("dump", "store").contains(phase), "killed in phase " + phase);
        daemon.killHard();
        Files.delete(pause);
        start(daemon, cfg);
        api = daemon.client();
        assertEquals(List.of(g1), api.get("/1.0/containers/job/checkpoints").json().findValuesAsText("id"),
                "the complete checkpoint stays, the half-written one is gone");
        assertEquals(namedChunks(daemon), chunkFiles(daemon), "the cut write's chunks were reclaimed at start");
        assertEquals("RUNNING", api.get("/1.0/containers/job").json().get("status").asText());
        String g2 = checkpoint(api, "job");

        // SIGKILL in the middle of the GC that deleting generation 1 starts.
        Set<String> g1Only = new HashSet<>(chunksOf(daemon, g1));
        g1Only.removeAll(chunksOf(daemon, g2));
        assertTrue(g1Only.size() > 100, "half the memory changed: " + g1Only.size());
        Files.writeString(pause, "20");
        DaemonClient deleting = api;
        CompletableFuture<?> delete = CompletableFuture.runAsync(() -> {
            try {
                deleting.send("DELETE", "/1.0/containers/job/checkpoints/" + g1, null);
            } catch (Exception cutByTheKill) {
                // expected: the daemon dies under it
            }
        });
        for (int i = 0; i < 600 && g1Only.stream().filter(chunkFiles(daemon)::contains).count() > g1Only.size() - 20; i++) {
            Thread.sleep(50);
        }
        long stillThere = g1Only.stream().filter(chunkFiles(daemon)::contains).count();
        assertTrue(stillThere > 0 && stillThere < g1Only.size(), "killed mid-GC: " + stillThere + " of " + g1Only.size());
        daemon.killHard();
        delete.join();
        Files.delete(pause);
        start(daemon, cfg);
        api = daemon.client();
        assertEquals(List.of(g2), api.get("/1.0/containers/job/checkpoints").json().findValuesAsText("id"));
        assertEquals(namedChunks(daemon), chunkFiles(daemon), "the GC cut short was finished at start");
        stop(api, "job");
        restoreAndVerify(daemon, "job", g2);
    }

    @Test
    void exportImportIntoAnEncryptedDaemonThenWarmStartAndRestoreAndTheKeyIsNeeded() throws Exception {
        dir = TestHosts.runDir("godwit-store");
        dirB = TestHosts.runDir("godwit-store-b");
        daemon = start(new DaemonProcess(dir), settings(dir, "{\"enabled\": true}"));
        Path key = dirB.resolve("store.key");
        byte[] k = new byte[32];
        new java.security.SecureRandom().nextBytes(k);
        Files.write(key, k);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        // codec none: what hides the memory is the encryption, not the compression
        Path cfgB = settings(dirB, "{\"enabled\": true, \"codec\": \"none\", \"keyFile\": \"" + key + "\"}");
        daemonB = start(new DaemonProcess(dirB), cfgB);

        DaemonClient a = daemon.client();
        launchMemwriter(a, "job", "32", String.valueOf(SEED));
        awaitLine(daemon, "job", "ok 1 ", 0);
        String id = checkpoint(a, "job");
        Path archive = dir.resolve("job.archive");
        JsonNode exported = operation(a, a.post("/1.0/containers/job/checkpoints/" + id + "/export",
                Map.of("path", archive.toString())));
        assertEquals("success", exported.get("status").asText(), exported.toString());
        assertTrue(Files.size(archive) > 30L << 20, "the archive holds the memory");

        // A changed byte in the archive is refused, and leaves nothing behind.
        byte[] bytes = Files.readAllBytes(archive);
        bytes[bytes.length / 3] ^= 0x04;
        Path damaged = Files.write(dirB.resolve("damaged.archive"), bytes);
        DaemonClient b = daemonB.client();
        JsonNode refused = operation(b, b.post("/1.0/checkpoints/import", Map.of("path", damaged.toString())));
        assertEquals("failure", refused.get("status").asText(), refused.toString());
        assertEquals(Set.of(), chunkFiles(daemonB), "a refused import leaves no chunk");

        JsonNode imported = operation(b, b.post("/1.0/checkpoints/import", Map.of("path", archive.toString())));
        assertEquals("success", imported.get("status").asText(), imported.toString());
        assertEquals(id, imported.get("result").get("checkpoint").get("id").asText());
        assertFalse(storeContains(daemonB, memoryPattern(SEED)), "the encrypted store holds memory in clear");

        JsonNode warm = operation(b, b.post("/1.0/containers", Map.of("name", "clone",
                "from", Map.of("container", "job", "checkpoint", id), "count", 1)));
        assertEquals("success", warm.get("status").asText(), warm.toString());
        awaitLine(daemonB, "clone", "ok ", console(daemonB, "clone").lines().toList().size());
        restoreAndVerify(daemonB, "job", id);
        b.send("DELETE", "/1.0/containers/clone?force=true", null);
        b.send("DELETE", "/1.0/containers/job?force=true", null);
        daemonB.close();

        // The store cannot be opened with another key, nor without one.
        byte[] other = k.clone();
        other[0] ^= 1;
        Files.write(key, other);
        IllegalStateException wrong = assertThrows(IllegalStateException.class, () -> daemonB.start(List.of("--config", cfgB.toString(), "--criu-breakpoints", "off")));
        assertTrue(wrong.getMessage().contains("not the key"), wrong.getMessage());
        Files.writeString(cfgB, "{\"store\": {\"enabled\": true}}");
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> daemonB.start(List.of("--config", cfgB.toString(), "--criu-breakpoints", "off")));
        assertTrue(none.getMessage().contains("is encrypted"), none.getMessage());
        daemonB = null;
    }
}
