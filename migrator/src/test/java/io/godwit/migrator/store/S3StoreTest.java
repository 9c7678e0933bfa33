package io.godwit.migrator.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The store with its chunks in a bucket of a real S3 server (S3Proxy, started here, offline). */
class S3StoreTest {
    private static final int MIB = 1 << 20;
    @TempDir static Path serverDir;
    static S3TestServer server;
    @TempDir Path tmp;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3TestServer.start(serverDir);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    private String bucket() {
        String b = "t" + Long.toHexString(new Random().nextLong() & Long.MAX_VALUE);
        server.createBucket(b);
        return b;
    }

    private CheckpointStore open(String bucket, Path key) throws Exception {
        S3Settings s3 = server.settings(tmp, bucket, S3TestServer.KEY_ID, S3TestServer.SECRET);
        return CheckpointStore.open(tmp.resolve("store"), new StoreSettings(true, Codec.ZSTD, key, s3));
    }

    private Path generation(String id, byte[] pages) throws Exception {
        Path images = Files.createDirectories(tmp.resolve("checkpoints").resolve(id).resolve("images"));
        Files.write(images.resolve("pages-1.img"), pages);
        Files.writeString(images.resolve("core-1.img"), "core of " + id);
        return images;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Set<String> objects(String bucket) {
        try (S3Client c = server.client()) {
            return c.listObjectsV2Paginator(r -> r.bucket(bucket)).contents().stream().map(S3Object::key)
                    .collect(Collectors.toSet());
        }
    }

    private static Set<String> named(StoreManifest m) {
        Set<String> s = new HashSet<>();
        m.files().forEach(f -> s.addAll(f.chunks()));
        return s;
    }

    @Test
    void encryptedChunksGoIntoTheBucketAndComeBackWhole() throws Exception {
        Path key = tmp.resolve("store.key");
        Files.write(Files.createFile(key, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))), random(32, 9));
        String bucket = bucket();
        byte[] pages = random(2 * MIB, 1);
        // a recognisable pattern in memory, to look for in the bucket's files
        byte[] marker = "GODWIT-S3-MARKER-0123456789abcdef-GODWIT-S3-MARKER-0123456789abc".getBytes();
        System.arraycopy(marker, 0, pages, MIB + 100, marker.length);
        try (CheckpointStore store = open(bucket, key)) {
            store.ingest(generation("g1", pages), tmp.resolve("checkpoints/g1"));
            StoreManifest m = CheckpointStore.manifestOf(tmp.resolve("checkpoints/g1"));
            assertEquals("hmac-sha256", m.naming());
            Set<String> keys = objects(bucket);
            assertEquals(named(m).stream().map(n -> "godwit/host-a/chunks/" + n).collect(Collectors.toSet()), keys,
                    "every chunk is one object under the prefix, and nothing else");
            assertFalse(Files.exists(tmp.resolve("store/chunks")), "no chunk on the local disk");
            try (Stream<Path> files = Files.walk(server.bucketDir(bucket))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertFalse(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1)
                            .contains(new String(marker, java.nio.charset.StandardCharsets.ISO_8859_1)), "clear text in " + f);
                }
            }
        }
        // a new daemon (new store object, names listed afresh from the bucket) restores it
        try (CheckpointStore store = open(bucket, key)) {
            Path out = tmp.resolve("out");
            store.assemble(CheckpointStore.manifestOf(tmp.resolve("checkpoints/g1")), out);
            assertArrayEquals(pages, Files.readAllBytes(out.resolve("images/pages-1.img")));
        }
    }

    @Test
    void gcRemovesFromTheBucketWhatOnlyPrunedGenerationsHeld() throws Exception {
        String bucket = bucket();
        try (CheckpointStore store = open(bucket, null)) {
            byte[] pages = random(2 * MIB, 2);
            store.ingest(generation("g1", pages), tmp.resolve("checkpoints/g1"));
            System.arraycopy(random(MIB / 8, 3), 0, pages, 0, MIB / 8); // 2 of 32 chunks change
            IngestResult second = store.ingest(generation("g2", pages), tmp.resolve("checkpoints/g2"));
            assertEquals(3, second.newChunks(), "2 pages chunks and the core file are new");
            StoreManifest keep = CheckpointStore.manifestOf(tmp.resolve("checkpoints/g2"));
            assertEquals(36, objects(bucket).size());

            io.godwit.migrator.files.Trees.delete(tmp.resolve("checkpoints/g1"));
            GcResult gc = store.collectGarbage(tmp.resolve("checkpoints"));
            assertEquals(3, gc.removed(), "g1's own chunks");
            assertEquals(named(keep).stream().map(n -> "godwit/host-a/chunks/" + n).collect(Collectors.toSet()), objects(bucket));
            Path out = tmp.resolve("out");
            store.assemble(keep, out);
            assertArrayEquals(pages, Files.readAllBytes(out.resolve("images/pages-1.img")));
        }
    }

    @Test
    void aFlippedByteInAnObjectIsRefusedByName() throws Exception {
        String bucket = bucket();
        try (CheckpointStore store = open(bucket, null); S3Client c = server.client()) {
            store.ingest(generation("g1", random(MIB, 4)), tmp.resolve("checkpoints/g1"));
            StoreManifest m = CheckpointStore.manifestOf(tmp.resolve("checkpoints/g1"));
            String victim = m.files().stream().filter(f -> f.path().endsWith("pages-1.img")).findFirst().orElseThrow()
                    .chunks().get(5);
            String objectKey = "godwit/host-a/chunks/" + victim;
            byte[] b = c.getObjectAsBytes(r -> r.bucket(bucket).key(objectKey)).asByteArray();
            b[b.length - 7] ^= 0x10;
            c.putObject(r -> r.bucket(bucket).key(objectKey), RequestBody.fromBytes(b));

            Path out = tmp.resolve("out");
            ChunkDamagedException e = assertThrows(ChunkDamagedException.class, () -> store.assemble(m, out));
            assertEquals(victim, e.chunk());
            assertTrue(e.getMessage().contains("images/pages-1.img") && e.getMessage().contains("digest"), e.getMessage());
            assertFalse(Files.exists(out), "nothing half-assembled is left");

            c.deleteObject(r -> r.bucket(bucket).key(objectKey));
            e = assertThrows(ChunkDamagedException.class, () -> store.assemble(m, out));
            assertEquals(victim, e.chunk());
            assertTrue(e.getMessage().contains("missing"), e.getMessage());
        }
    }

    @Test
    void wrongCredentialsOrAMissingBucketStopTheStoreInWords() throws Exception {
        String bucket = bucket();
        StoreSettings badSecret = new StoreSettings(true, Codec.ZSTD, null,
                server.settings(tmp, bucket, S3TestServer.KEY_ID, "not-the-secret"));
        StoreUnusableException e = assertThrows(StoreUnusableException.class,
                () -> CheckpointStore.open(tmp.resolve("store"), badSecret));
        assertTrue(e.getMessage().contains("secret key in " + badSecret.s3().secretKeyFile()) && e.getMessage().contains(bucket),
                e.getMessage());
        assertFalse(e.getMessage().contains("not-the-secret"), "the secret itself is never in a message");

        StoreSettings badId = new StoreSettings(true, Codec.ZSTD, null, server.settings(tmp, bucket, "nobody", S3TestServer.SECRET));
        e = assertThrows(StoreUnusableException.class, () -> CheckpointStore.open(tmp.resolve("store"), badId));
        assertTrue(e.getMessage().contains("access key id nobody"), e.getMessage());

        StoreSettings noBucket = new StoreSettings(true, Codec.ZSTD, null,
                server.settings(tmp, "no-such-bucket", S3TestServer.KEY_ID, S3TestServer.SECRET));
        e = assertThrows(StoreUnusableException.class, () -> CheckpointStore.open(tmp.resolve("store"), noBucket));
        assertTrue(e.getMessage().contains("bucket no-such-bucket does not exist"), e.getMessage());

        S3Settings open = server.settings(tmp, bucket, S3TestServer.KEY_ID, S3TestServer.SECRET);
        Files.setPosixFilePermissions(open.secretKeyFile(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        e = assertThrows(StoreUnusableException.class,
                () -> CheckpointStore.open(tmp.resolve("store"), new StoreSettings(true, Codec.ZSTD, null, open)));
        assertTrue(e.getMessage().contains("readable or writable by others"), e.getMessage());
    }

    @Test
    void settingsReadTheBucketAndRefuseAnInlineSecret() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        StoreSettings s = StoreSettings.read(json.readTree("""
                {"s3": {"bucket": "ckpt", "prefix": "godwit/a", "endpoint": "http://127.0.0.1:9000",
                        "accessKeyId": "k", "secretKeyFile": "/etc/godwit/s3.secret"}}"""));
        assertEquals(new S3Settings("ckpt", "godwit/a/", java.net.URI.create("http://127.0.0.1:9000"), "us-east-1", "k",
                Path.of("/etc/godwit/s3.secret"), true), s.s3());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StoreSettings.read(json.readTree(
                "{\"s3\": {\"bucket\": \"ckpt\", \"secretAccessKey\": \"x\"}}")));
        assertTrue(e.getMessage().contains("secretKeyFile"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StoreSettings.read(json.readTree(
                "{\"s3\": {\"bucket\": \"ckpt\", \"accessKeyId\": \"k\"}}")));
    }
}
