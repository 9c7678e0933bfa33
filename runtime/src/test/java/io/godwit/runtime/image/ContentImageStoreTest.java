package io.godwit.runtime.image;

import io.godwit.runtime.HostCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real imports, real tar, real overlay mounts; every mount is undone in tearDown. */
class ContentImageStoreTest {

    @TempDir
    Path tmp;

    private final List<ContainerRootfs> made = new ArrayList<>();
    private Path testRootfs;
    private Path testTar;
    private ContentImageStore store;

    @BeforeEach
    void setUp() throws IOException {
        Path testfs = Path.of(System.getProperty("godwit.testfs", "build/testfs"));
        testRootfs = testfs.resolve("rootfs");
        testTar = testfs.resolve("rootfs.tar");
        assertTrue(Files.isDirectory(testRootfs), "run scripts/testfs first: " + testRootfs);
        store = new ContentImageStore(tmp.resolve("images"));
    }

    @AfterEach
    void tearDown() throws IOException {
        List<IOException> failures = new ArrayList<>();
        for (ContainerRootfs r : made) {
            try {
                r.destroy();
            } catch (IOException e) {
                failures.add(e);
            }
        }
        // Backstop: nothing under this test's directory may stay mounted.
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mountPoint = line.split(" ")[4];
            if (mountPoint.startsWith(tmp.toString())) {
                HostCommand.run(List.of("umount", "-l", mountPoint));
                failures.add(new IOException("left mounted: " + mountPoint));
            }
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    private ContainerRootfs createRootfs(ContentImageStore s, String image, Path containerDir) throws IOException {
        ContainerRootfs r = s.createRootfs(image, containerDir);
        made.add(r);
        return r;
    }

    @Test
    void directoryAndTarballOfTheSameContentGiveOneImage() throws IOException {
        ImageInfo fromDir = store.importImage("busybox", testRootfs);
        assertTrue(fromDir.fingerprint().matches("[0-9a-f]{64}"));
        assertTrue(fromDir.sizeBytes() > 1_000_000, "busybox alone is over 1 MB: " + fromDir);
        Path gz = tmp.resolve("rootfs.tar.gz");
        HostCommand.run(List.of("sh", "-c", "gzip -c < '" + testTar + "' > '" + gz + "'"));

        ImageInfo fromTar = store.importImage("busybox-tar", testTar);
        assertEquals(fromDir.fingerprint(), fromTar.fingerprint());
        ImageInfo fromGz = store.importImage("busybox-gz", gz);
        assertEquals(fromDir.fingerprint(), fromGz.fingerprint());
        assertEquals(1, store.list().size());
        assertEquals(List.of("busybox", "busybox-tar", "busybox-gz"), store.list().get(0).aliases(),
                "a re-import of the same content adds its alias and keeps the others");

        Path image = store.root().resolve(fromDir.fingerprint());
        assertTrue(Files.isRegularFile(image.resolve("image.json")));
        assertTrue(Files.isSymbolicLink(image.resolve("rootfs/bin/sh")));
        assertTrue(Files.isExecutable(image.resolve("rootfs/bin/counter")));
        assertEquals(01777, (Integer) Files.getAttribute(image.resolve("rootfs/tmp"), "unix:mode") & 07777,
                "sticky /tmp kept");
        try (var leftovers = Files.list(store.root())) {
            assertEquals(1, leftovers.count(), "temp dirs left behind");
        }
    }

    @Test
    void differentContentDifferentFingerprintAndAliasesStayUnique() throws IOException {
        ImageInfo a = store.importImage("base", testRootfs);
        Path changed = tmp.resolve("changed");
        HostCommand.run(List.of("cp", "-a", testRootfs + "/.", changed + "/"));
        Files.writeString(changed.resolve("etc/hostname"), "other\n");
        ImageInfo b = store.importImage("base", changed);
        assertNotEquals(a.fingerprint(), b.fingerprint());
        assertEquals(b.fingerprint(), store.find("base").orElseThrow().fingerprint());
        assertNull(store.find(a.fingerprint()).orElseThrow().alias());

        HostCommand.run(List.of("chmod", "600", changed.resolve("etc/hostname").toString()));
        ImageInfo c = store.importImage("mode", changed);
        assertNotEquals(b.fingerprint(), c.fingerprint(), "mode is part of the fingerprint");
    }

    @Test
    void findsByAliasFingerprintAndPrefix() throws IOException {
        ImageInfo info = store.importImage("busybox", testRootfs);
        assertEquals(info, store.find("busybox").orElseThrow());
        assertEquals(info, store.find(info.fingerprint()).orElseThrow());
        assertEquals(info, store.find(info.fingerprint().substring(0, 12)).orElseThrow());
        assertTrue(store.find(info.fingerprint().substring(0, 11)).isEmpty(), "prefix shorter than 12");
        assertTrue(store.find("nope").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> store.importImage("../x", testRootfs));
        assertThrows(IllegalArgumentException.class, () -> store.importImage("a/b", testRootfs));
    }

    @Test
    void overlayRootfsIsWritableAndChangesGoToTheUpperDir() throws IOException {
        ImageInfo info = store.importImage("busybox", testRootfs);
        Path containerDir = tmp.resolve("containers/c1");
        ContainerRootfs rootfs = createRootfs(store, "busybox", containerDir);
        assertEquals(containerDir.resolve("rootfs"), rootfs.path());
        assertEquals(info.fingerprint(), rootfs.imageFingerprint());
        assertTrue(MountTable.isMountPoint(rootfs.path()));
        assertTrue(Files.isExecutable(rootfs.path().resolve("bin/busybox")));

        Files.writeString(rootfs.path().resolve("tmp/hello"), "hi");
        Files.writeString(rootfs.path().resolve("etc/hostname"), "changed\n");
        assertEquals("hi", Files.readString(rootfs.changesDir().resolve("tmp/hello")));
        assertEquals("changed\n", Files.readString(rootfs.changesDir().resolve("etc/hostname")));
        assertFalse(Files.exists(rootfs.changesDir().resolve("bin/busybox")), "unchanged files stay in the image");
        Path image = store.root().resolve(info.fingerprint()).resolve("rootfs");
        assertEquals("godwit-test", Files.readString(image.resolve("etc/hostname")).strip(), "image untouched");

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> store.delete("busybox"));
        assertTrue(refused.getMessage().contains(containerDir.toString()), refused.getMessage());

        rootfs.destroy();
        made.remove(rootfs);
        assertFalse(MountTable.isMountPoint(containerDir.resolve("rootfs")));
        assertFalse(Files.exists(containerDir.resolve("rootfs")));
        assertFalse(Files.exists(containerDir.resolve("upper")));
        assertFalse(Files.exists(containerDir.resolve("work")));
        rootfs.destroy(); // idempotent
        store.delete("busybox");
        assertTrue(store.list().isEmpty());
    }

    /** A move's target swaps in the final changes of a container it made from earlier ones. */
    @Test
    void replacedChangesAreWhatTheMountedRootfsShows() throws IOException {
        store.importImage("busybox", testRootfs);
        Path containerDir = tmp.resolve("containers/c3");
        ContainerRootfs rootfs = createRootfs(store, "busybox", containerDir);
        Files.writeString(rootfs.path().resolve("tmp/old"), "copied while it ran");
        Path last = tmp.resolve("final");
        Files.createDirectories(last.resolve("tmp"));
        Files.createDirectories(last.resolve("etc"));
        Files.writeString(last.resolve("tmp/new"), "written before the freeze");
        HostCommand.run(List.of("mknod", last.resolve("etc/hostname").toString(), "c", "0", "0")); // deleted

        store.replaceChanges(containerDir, last);

        assertTrue(MountTable.isMountPoint(rootfs.path()));
        assertEquals("written before the freeze", Files.readString(rootfs.path().resolve("tmp/new")));
        assertFalse(Files.exists(rootfs.path().resolve("tmp/old")), "the earlier layer still shows");
        assertFalse(Files.exists(rootfs.path().resolve("etc/hostname")), "the deletion (whiteout) does not show");
        assertTrue(Files.isExecutable(rootfs.path().resolve("bin/busybox")), "the image no longer shows");
        assertFalse(Files.exists(last), "the final changes were not consumed");
        try (var entries = Files.list(containerDir)) {
            assertEquals(List.of(), entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".replaced-"))
                    .toList(), "the replaced layer stayed");
        }
        Files.writeString(rootfs.path().resolve("tmp/after"), "still writable");
        assertEquals("still writable", Files.readString(rootfs.changesDir().resolve("tmp/after")));
    }

    @Test
    void openRootfsMountsAgainAfterARestartAndKeepsChanges() throws IOException {
        store.importImage("busybox", testRootfs);
        Path containerDir = tmp.resolve("containers/c2");
        ContainerRootfs first = createRootfs(store, "busybox", containerDir);
        Files.writeString(first.path().resolve("root/note"), "kept");
        HostCommand.run(List.of("umount", first.path().toString())); // as a reboot would
        made.remove(first);

        ContentImageStore restarted = new ContentImageStore(store.root());
        ContainerRootfs again = restarted.openRootfs(containerDir);
        made.add(again);
        assertTrue(MountTable.isMountPoint(again.path()));
        assertEquals("kept", Files.readString(again.path().resolve("root/note")));
        assertEquals(again.path(), restarted.openRootfs(containerDir).path(), "open of a mounted rootfs is a no-op");
        assertThrows(IllegalStateException.class, () -> restarted.delete("busybox"));
    }

    @Test
    void busyRootfsIsReportedNotDetached() throws Exception {
        store.importImage("busybox", testRootfs);
        ContainerRootfs rootfs = createRootfs(store, "busybox", tmp.resolve("containers/busy"));
        Process holder = new ProcessBuilder("sleep", "30").directory(rootfs.path().toFile()).start();
        try {
            IOException busy = assertThrows(IOException.class, rootfs::destroy);
            assertTrue(busy.getMessage().contains("umount"), busy.getMessage());
            assertTrue(MountTable.isMountPoint(rootfs.path()));
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }

    @Test
    void copyModeMakesAFullCopy() throws IOException {
        ContentImageStore copies = new ContentImageStore(tmp.resolve("images-copy"), RootfsMode.COPY);
        copies.importImage("busybox", testRootfs);
        ContainerRootfs rootfs = createRootfs(copies, "busybox", tmp.resolve("containers/copy"));
        assertFalse(MountTable.isMountPoint(rootfs.path()));
        assertEquals(rootfs.path(), rootfs.changesDir());
        assertTrue(Files.isExecutable(rootfs.path().resolve("bin/busybox")));
        assertEquals(rootfs.path(), copies.openRootfs(tmp.resolve("containers/copy")).path());
        assertThrows(IllegalStateException.class, () -> copies.delete("busybox"));
        rootfs.destroy();
        made.remove(rootfs);
        copies.delete("busybox");
    }

    @Test
    void staleReferencesDoNotPinAnImage() throws IOException {
        store.importImage("busybox", testRootfs);
        Path containerDir = tmp.resolve("containers/gone");
        ContainerRootfs rootfs = createRootfs(store, "busybox", containerDir);
        HostCommand.run(List.of("umount", rootfs.path().toString()));
        made.remove(rootfs);
        HostCommand.run(List.of("rm", "-rf", containerDir.toString())); // removed by hand
        store.delete("busybox");
    }
}
