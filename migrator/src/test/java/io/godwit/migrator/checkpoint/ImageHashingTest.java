package io.godwit.migrator.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images' hashes taken while CRIU writes them (DumpHasher) and checked while CRIU restores them
 * (CheckpointImages' gate): the same hashes as a pass over the finished files, and a flipped byte
 * still refused by the file's name before the restored tasks may run.
 */
class ImageHashingTest {
    @TempDir
    Path dir;

    @Test
    void hashesTakenWhileTheFilesGrowEqualAPassOverTheFinishedFiles() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Random random = new Random(7);
        try (DumpHasher hasher = DumpHasher.follow(images)) {
            // Two pages files appended to in odd-sized pieces with pauses, as a dump writes them.
            for (int round = 0; round < 40; round++) {
                for (String name : List.of("pages-1.img", "pages-2.img")) {
                    byte[] piece = new byte[1 + random.nextInt(300_000)];
                    random.nextBytes(piece);
                    Files.write(images.resolve(name), piece, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
                Thread.sleep(2);
            }
            // Replaced by another file after it was followed: hashed again from its start.
            Files.write(images.resolve("pages-3.img"), new byte[100_000]);
            Thread.sleep(50);
            Path replacement = images.resolve("new.tmp");
            Files.write(replacement, "other".getBytes());
            Files.move(replacement, images.resolve("pages-3.img"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            // Written after the dump, never followed.
            Files.write(images.resolve("cpuinfo.img"), new byte[]{1, 2, 3});
            Files.write(images.resolve("inventory.img"), new byte[0]);

            List<ManifestFile> followed = hasher.finish();
            assertEquals(ManifestIo.hashTree(dir, List.of("images")), followed);
            assertEquals(5, followed.size(), followed.toString());
        }
    }

    @Test
    void aFlippedByteInAnImageIsRefusedByNameAtTheGate() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Files.createDirectories(dir.resolve("rootfs/etc"));
        Files.writeString(dir.resolve("rootfs/etc/hostname"), "box\n");
        byte[] pages = new byte[3 << 20];
        new Random(3).nextBytes(pages);
        Files.write(images.resolve("pages-1.img"), pages);
        Files.write(images.resolve("core-1.img"), new byte[]{9, 9, 9});
        writeManifest();

        // Whole: the gate lets the restored tasks run.
        try (CheckpointImages ok = CheckpointImages.verify(dir, null, dir, true)) {
            ok.gate().postRestore(1);
            assertTrue(ok.checked());
            assertNull(ok.damage());
        }

        // One byte flipped near the end of the pages: the size is right, so the restore starts, and the
        // gate at post-restore refuses it by the file's name.
        flip(images.resolve("pages-1.img"), pages.length - 5);
        try (CheckpointImages damaged = CheckpointImages.verify(dir, null, dir, true)) {
            DamagedCheckpointException e = assertThrows(DamagedCheckpointException.class,
                    () -> damaged.gate().postRestore(1));
            assertTrue(e.getMessage().contains("images/pages-1.img"), e.getMessage());
            assertTrue(!damaged.checked());
            assertTrue(damaged.damage().getMessage().contains("images/pages-1.img"));
        }
        // Checked before anything, as before: the full check and the rootfs changes.
        DamagedCheckpointException whole = assertThrows(DamagedCheckpointException.class,
                () -> CheckpointImages.verify(dir, null, dir, false));
        assertTrue(whole.getMessage().contains("images/pages-1.img"), whole.getMessage());
        flip(images.resolve("pages-1.img"), pages.length - 5); // back as it was
        flip(dir.resolve("rootfs/etc/hostname"), 0);
        DamagedCheckpointException rootfs = assertThrows(DamagedCheckpointException.class,
                () -> CheckpointImages.verify(dir, null, dir, true));
        assertTrue(rootfs.getMessage().contains("rootfs/etc/hostname"), rootfs.getMessage());
    }

    @Test
    void aTruncatedImageIsRefusedBeforeTheRestoreStarts() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Files.write(images.resolve("pages-1.img"), new byte[4096]);
        writeManifest();
        try (RandomAccessFile f = new RandomAccessFile(images.resolve("pages-1.img").toFile(), "rw")) {
            f.setLength(4095);
        }
        DamagedCheckpointException e = assertThrows(DamagedCheckpointException.class,
                () -> CheckpointImages.verify(dir, null, dir, true));
        assertTrue(e.getMessage().contains("images/pages-1.img has 4095 bytes"), e.getMessage());
    }

    private void writeManifest() throws Exception {
        List<ManifestFile> files = new ArrayList<>(ManifestIo.hashTree(dir, List.of("images", "rootfs")));
        ManifestIo.write(dir, new CheckpointManifest(CheckpointManifest.FORMAT, "c1", "box", Instant.now(), "4.1.1",
                "6.18", null, null, Map.of(), Map.of(), false, files));
    }

    private static void flip(Path file, long at) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0xff);
        }
    }
}
