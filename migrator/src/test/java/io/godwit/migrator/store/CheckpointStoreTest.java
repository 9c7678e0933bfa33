package io.godwit.migrator.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store on real files: dedup across generations, assembly, damage, GC and encryption. */
class CheckpointStoreTest {
    private static final int MIB = 1 << 20;
    @TempDir Path tmp;

    /** A checkpoint directory whose images/ hold a 4 MiB "pages" file of random bytes and a small text file. */
    private Path generation(String id, byte[] pages) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("checkpoints").resolve(id));
        Path images = Files.createDirectories(dir.resolve("images"));
        Files.write(images.resolve("pages-1.img"), pages);
        Files.writeString(images.resolve("core-1.img"), "core of " + id);
        return dir;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The chunks on disk of a store opened without S3. */
    private static FileChunks files(CheckpointStore store) {
        return (FileChunks) store.chunks().backend();
    }

    private CheckpointStore open(Codec codec, Path key) throws IOException {
        return CheckpointStore.open(tmp.resolve("store"), new StoreSettings(true, codec, key));
    }

    @Test
    void aGenerationThatChangedFivePercentStoresAboutFivePercentNewChunks() throws Exception {
        try (CheckpointStore store = open(Codec.ZSTD, null)) {
            byte[] pages = random(4 * MIB, 1);
            IngestResult first = store.ingest(generation("g1", pages).resolve("images"), tmp.resolve("checkpoints/g1"));
            assertEquals(65, first.chunks(), "4 MiB in 64 KiB chunks, and the small file");
            // 5 % of the memory, contiguous, as memwriter's rewrite mode changes it
            System.arraycopy(random(4 * MIB / 20, 2), 0, pages, MIB, 4 * MIB / 20);
            IngestResult second = store.ingest(generation("g2", pages).resolve("images"), tmp.resolve("checkpoints/g2"));
            assertEquals(65, second.chunks());
            assertTrue(second.newChunks() >= 4 && second.newChunks() <= 5, "new chunks: " + second.newChunks());
            assertTrue(second.newRawBytes() <= 0.07 * pages.length, "new bytes " + second.newRawBytes());

            Path out = tmp.resolve("out");
            store.assemble(CheckpointStore.manifestOf(tmp.resolve("checkpoints/g2")), out);
            assertArrayEquals(pages, Files.readAllBytes(out.resolve("images/pages-1.img")));
            assertEquals("core of g2", Files.readString(out.resolve("images/core-1.img")));
        }
    }

    @Test
    void comparingWithThePreviousGenerationNamesChunksExactlyAsHashingDoes() throws Exception {
        try (CheckpointStore store = open(Codec.ZSTD, null)) {
            byte[] pages = random(4 * MIB, 11);
            store.ingest(generation("g1", pages).resolve("images"), tmp.resolve("checkpoints/g1"), "job");
            System.arraycopy(random(MIB / 5, 12), 0, pages, 2 * MIB, MIB / 5);
            IngestResult compared = store.ingest(generation("g2", pages).resolve("images"), tmp.resolve("checkpoints/g2"), "job");
            IngestResult hashed = store.ingest(generation("g3", pages).resolve("images"), tmp.resolve("checkpoints/g3"));
            assertEquals(hashed.manifest().files().get(1).chunks(), compared.manifest().files().get(1).chunks(),
                    "the same names whether compared or hashed");
            assertTrue(compared.newChunks() >= 4 && compared.newChunks() <= 5, "new chunks: " + compared.newChunks());
            Path out = tmp.resolve("out");
            store.assemble(CheckpointStore.manifestOf(tmp.resolve("checkpoints/g2")), out);
            assertArrayEquals(pages, Files.readAllBytes(out.resolve("images/pages-1.img")));
            // a damaged chunk of the previous generation is not taken for equal: the bytes are hashed instead
            String victim = compared.manifest().files().get(1).chunks().get(0);
            Path file = files(store).pathOf(victim);
            byte[] b = Files.readAllBytes(file);
            b[b.length - 1] ^= 0x01;
            Files.write(file, b);
            IngestResult again = store.ingest(generation("g4", pages).resolve("images"), tmp.resolve("checkpoints/g4"), "job");
            assertEquals(hashed.manifest().files().get(1).chunks(), again.manifest().files().get(1).chunks());
            ChunkDamagedException e = assertThrows(ChunkDamagedException.class,
                    () -> store.assemble(again.manifest(), tmp.resolve("out4")));
            assertEquals(victim, e.chunk(), "still refused by name on reading");
        }
    }

    @Test
    void storingPagesWhileTheyAreWrittenListsTheSameChunksAsStoringTheFinishedFiles() throws Exception {
        try (CheckpointStore store = open(Codec.ZSTD, null)) {
            byte[] pages = random(4 * MIB + 12345, 21);
            store.ingest(generation("g1", pages).resolve("images"), tmp.resolve("checkpoints/g1"), "job");
            System.arraycopy(random(MIB / 5, 22), 0, pages, MIB, MIB / 5);
            // g2's pages arrive in odd-sized pieces while the store follows them, as CRIU writes them.
            Path dir = Files.createDirectories(tmp.resolve("checkpoints/g2"));
            Path images = Files.createDirectories(dir.resolve("images"));
            IngestResult followed;
            try (CheckpointStore.Hold hold = store.holdForWriting();
                    CheckpointStore.Following following = store.follow(images, "job")) {
                Random r = new Random(23);
                for (int at = 0; at < pages.length; ) {
                    int n = Math.min(pages.length - at, 1 + r.nextInt(200_000));
                    Files.write(images.resolve("pages-1.img"), java.util.Arrays.copyOfRange(pages, at, at + n),
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                    at += n;
                    Thread.sleep(1);
                }
                Files.writeString(images.resolve("core-1.img"), "core of g2"); // written after the pages
                followed = following.finish(dir);
            }
            IngestResult whole = store.ingest(generation("g3", pages).resolve("images"), tmp.resolve("checkpoints/g3"));
            assertEquals(whole.manifest().files().stream().map(StoredFile::chunks).toList().get(1),
                    followed.manifest().files().get(1).chunks());
            assertEquals(pages.length, followed.manifest().files().get(1).size());
            assertTrue(followed.newChunks() >= 4 && followed.newChunks() <= 6, "new chunks: " + followed.newChunks());
            Path out = tmp.resolve("out");
            store.assemble(CheckpointStore.manifestOf(dir), out);
            assertArrayEquals(pages, Files.readAllBytes(out.resolve("images/pages-1.img")));
            assertEquals("core of g2", Files.readString(out.resolve("images/core-1.img")));
        }
    }

    @Test
    void aFlippedByteInOneChunkIsRefusedByNameAndNothingIsLeftBehind() throws Exception {
        try (CheckpointStore store = open(Codec.NONE, null)) {
            Path dir = generation("g1", random(MIB, 3));
            store.ingest(dir.resolve("images"), dir);
            StoreManifest m = CheckpointStore.manifestOf(dir);
            String victim = m.files().stream().filter(f -> f.path().endsWith("pages-1.img")).findFirst().orElseThrow()
                    .chunks().get(7);
            Path file = files(store).pathOf(victim);
            byte[] b = Files.readAllBytes(file);
            b[b.length / 2] ^= 0x01;
            Files.write(file, b);
            Path out = tmp.resolve("out");
            ChunkDamagedException e = assertThrows(ChunkDamagedException.class, () -> store.assemble(m, out));
            assertEquals(victim, e.chunk());
            assertTrue(e.getMessage().contains("images/pages-1.img") && e.getMessage().contains("digest"), e.getMessage());
            assertFalse(Files.exists(out), "a half-assembled directory is removed");
        }
    }

    @Test
    void aMissingChunkIsRefusedBeforeAnythingIsWritten() throws Exception {
        try (CheckpointStore store = open(Codec.ZSTD, null)) {
            Path dir = generation("g1", random(MIB, 4));
            store.ingest(dir.resolve("images"), dir);
            StoreManifest m = CheckpointStore.manifestOf(dir);
            String victim = m.files().get(1).chunks().get(15);
            Files.delete(files(store).pathOf(victim));
            Path out = tmp.resolve("out");
            ChunkDamagedException e = assertThrows(ChunkDamagedException.class, () -> store.assemble(m, out));
            assertEquals(victim, e.chunk());
            assertTrue(e.getMessage().contains("missing"), e.getMessage());
            assertFalse(Files.exists(out), "nothing written");
        }
    }

    @Test
    void garbageCollectionFreesOnlyWhatNoCheckpointNamesAndTempFilesOfKilledWrites() throws Exception {
        try (CheckpointStore store = open(Codec.ZSTD, null)) {
            byte[] pages = random(2 * MIB, 5);
            Path g1 = generation("g1", pages);
            store.ingest(g1.resolve("images"), g1);
            pages[0] ^= 1; // the first chunk differs
            Path g2 = generation("g2", pages);
            store.ingest(g2.resolve("images"), g2);
            Path temp = files(store).dir().resolve("ab/ab12" + FileChunks.TEMP_MARK + "dead");
            Files.createDirectories(temp.getParent());
            Files.write(temp, new byte[100]);

            GcResult none = store.collectGarbage(tmp.resolve("checkpoints"));
            assertEquals(0, none.removed(), "every chunk is named by g1 or g2");
            assertEquals(1, none.tempFiles());
            io.godwit.migrator.files.Trees.delete(g1);
            GcResult after = store.collectGarbage(tmp.resolve("checkpoints"));
            assertEquals(2, after.removed(), "g1's first pages chunk and its core file");
            store.assemble(CheckpointStore.manifestOf(g2), tmp.resolve("out"));
            assertArrayEquals(pages, Files.readAllBytes(tmp.resolve("out/images/pages-1.img")));
        }
    }

    @Test
    void anUnreadableChunkListStopsTheSweep() throws Exception {
        try (CheckpointStore store = open(Codec.ZSTD, null)) {
            Path g1 = generation("g1", random(MIB, 6));
            store.ingest(g1.resolve("images"), g1);
            Files.writeString(g1.resolve(StoreManifest.FILE), "{not json");
            assertThrows(IOException.class, () -> store.collectGarbage(tmp.resolve("checkpoints")));
            try (Stream<Path> s = Files.walk(files(store).dir())) {
                assertEquals(17, s.filter(Files::isRegularFile).count(), "nothing removed");
            }
        }
    }

    private Path keyFile(String name, byte[] key, String mode) throws IOException {
        Path f = tmp.resolve(name);
        Files.write(f, key);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void anEncryptedStoreHoldsNothingInClearAndRefusesAWrongOrMissingKey() throws Exception {
        // Text that compresses poorly stays findable in a plain store: the control that makes the grep mean something.
        byte[] marker = "GODWIT-MARKER-7f3a9c".getBytes(StandardCharsets.US_ASCII);
        byte[] pages = random(MIB, 7);
        for (int at = 0; at + marker.length < pages.length; at += 4096) {
            System.arraycopy(marker, 0, pages, at, marker.length);
        }
        Path plainRoot = tmp.resolve("plain");
        try (CheckpointStore plain = CheckpointStore.open(plainRoot, new StoreSettings(true, Codec.NONE, null))) {
            Path g = generation("p1", pages);
            plain.ingest(g.resolve("images"), g);
            assertTrue(contains(plainRoot, marker), "the control: a plain store holds the memory as it is");
        }
        io.godwit.migrator.files.Trees.delete(tmp.resolve("checkpoints"));

        Path key = keyFile("store.key", random(32, 8), "rw-------");
        Path g = generation("e1", pages);
        try (CheckpointStore store = open(Codec.NONE, key)) {
            store.ingest(g.resolve("images"), g);
            assertFalse(contains(tmp.resolve("store"), marker), "a marker of the memory is in clear in the store");
            assertTrue(CheckpointStore.manifestOf(g).naming().equals("hmac-sha256"));
            // a plain SHA-256 of a chunk names no file: names leak nothing about the content
            String plainName = ChunkNamer.sha256().name(pages, 65536);
            assertFalse(store.chunks().contains(plainName));
        }
        try (CheckpointStore again = open(Codec.NONE, key)) {
            again.assemble(CheckpointStore.manifestOf(g), tmp.resolve("out"));
            assertArrayEquals(pages, Files.readAllBytes(tmp.resolve("out/images/pages-1.img")));
        }
        Path wrong = keyFile("wrong.key", random(32, 9), "rw-------");
        StoreUnusableException w = assertThrows(StoreUnusableException.class, () -> open(Codec.NONE, wrong));
        assertTrue(w.getMessage().contains("not the key"), w.getMessage());
        StoreUnusableException m = assertThrows(StoreUnusableException.class, () -> open(Codec.NONE, null));
        assertTrue(m.getMessage().contains("encrypted"), m.getMessage());
        Path loose = keyFile("loose.key", random(32, 8), "rw-r--r--");
        StoreUnusableException l = assertThrows(StoreUnusableException.class, () -> open(Codec.NONE, loose));
        assertTrue(l.getMessage().contains("chmod 600"), l.getMessage());
    }

    @Test
    void aChunkCopiedOverAnotherNameFailsItsTag() throws Exception {
        Path key = keyFile("store.key", random(32, 10), "rw-------");
        try (CheckpointStore store = open(Codec.ZSTD, key)) {
            Path g = generation("e1", random(MIB, 11));
            store.ingest(g.resolve("images"), g);
            StoreManifest m = CheckpointStore.manifestOf(g);
            var chunks = m.files().get(1).chunks();
            Files.copy(files(store).pathOf(chunks.get(0)), files(store).pathOf(chunks.get(1)),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            ChunkDamagedException e = assertThrows(ChunkDamagedException.class, () -> store.assemble(m, tmp.resolve("o")));
            assertEquals(chunks.get(1), e.chunk());
            assertTrue(e.getMessage().contains("tag"), e.getMessage());
        }
    }

    @Test
    void aKeyCannotBeAddedToAStoreHoldingPlainChunks() throws Exception {
        try (CheckpointStore store = open(Codec.ZSTD, null)) {
            Path g = generation("p1", random(MIB, 12));
            store.ingest(g.resolve("images"), g);
        }
        Path key = keyFile("store.key", random(32, 13), "rw-------");
        StoreUnusableException e = assertThrows(StoreUnusableException.class, () -> open(Codec.ZSTD, key));
        assertTrue(e.getMessage().contains("unencrypted"), e.getMessage());
    }

    @Test
    void everyCodecRoundTrips() throws Exception {
        byte[] text = "page ".repeat(20000).getBytes(StandardCharsets.US_ASCII);
        for (Codec c : Codec.values()) {
            byte[] packed = c.compress(text, text.length);
            assertArrayEquals(text, c.decompress(packed, 0, packed.length, text.length), c.word());
            if (c != Codec.NONE) {
                assertTrue(packed.length < text.length / 10, c.word() + " compresses text");
            }
        }
    }

    @Test
    void anArchiveCarriesACheckpointIntoAnotherStoreAndAChangedByteIsRefused() throws Exception {
        byte[] pages = random(MIB, 14);
        Path g = generation("x1", pages);
        Path tar = Files.write(tmp.resolve("rootfs.tar"), random(10240, 15));
        Path archive = tmp.resolve("x1.archive");
        try (CheckpointStore source = open(Codec.ZSTD, null)) {
            source.ingest(g.resolve("images"), g);
            try (var os = Files.newOutputStream(archive); ArchiveWriter w = new ArchiveWriter(os)) {
                w.manifest("{\"id\":\"x1\"}".getBytes(StandardCharsets.US_ASCII));
                source.export(CheckpointStore.manifestOf(g), w);
                w.rootfs(tar);
                w.finish();
            }
        }
        Path key = keyFile("other.key", random(32, 16), "rw-------");
        Path otherRoot = tmp.resolve("other");
        Files.createDirectories(tmp.resolve("scratch"));
        try (CheckpointStore target = CheckpointStore.open(otherRoot, new StoreSettings(true, Codec.ZSTD, key))) {
            CheckpointStore.Imported in;
            try (var is = Files.newInputStream(archive)) {
                in = target.importArchive(is, tmp.resolve("scratch"));
            }
            assertEquals("{\"id\":\"x1\"}", new String(in.manifest(), StandardCharsets.US_ASCII));
            assertArrayEquals(Files.readAllBytes(tar), Files.readAllBytes(in.rootfsTar()));
            assertEquals("hmac-sha256", in.chunks().naming(), "renamed into the importing store's names");
            target.assemble(in.chunks(), tmp.resolve("out"));
            assertArrayEquals(pages, Files.readAllBytes(tmp.resolve("out/images/pages-1.img")));

            byte[] bad = Files.readAllBytes(archive);
            bad[bad.length / 2] ^= 0x10;
            Path damaged = Files.write(tmp.resolve("damaged.archive"), bad);
            try (var is = Files.newInputStream(damaged)) {
                IOException e = assertThrows(IOException.class, () -> target.importArchive(is, tmp.resolve("scratch")));
                assertTrue(e.getMessage().contains("chunk") || e.getMessage().contains("SHA-256"), e.getMessage());
            }
            byte[] cut = java.util.Arrays.copyOf(Files.readAllBytes(archive), (int) Files.size(archive) - 40);
            Path shortened = Files.write(tmp.resolve("cut.archive"), cut);
            try (var is = Files.newInputStream(shortened)) {
                IOException e = assertThrows(IOException.class, () -> target.importArchive(is, tmp.resolve("scratch")));
                assertTrue(e.getMessage().contains("cut short"), e.getMessage());
            }
        }
    }

    private static boolean contains(Path root, byte[] needle) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
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
}
