package io.godwit.runtime.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.runtime.HostCommand;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container's changes, saved from its upper directory and given to a new rootfs of the same
 * image, come back exactly: what it deleted stays deleted, a directory it replaced holds only what
 * it put there, holes stay holes, and hard links and xattrs of every namespace are kept. Real
 * overlay mounts; the changes are made through the mounted overlay, as a container makes them.
 */
class ChangeLayerTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path tmp;

    private final List<ContainerRootfs> made = new ArrayList<>();
    private ContentImageStore store;

    @BeforeEach
    void setUp() throws IOException {
        Path testRootfs = Path.of(System.getProperty("godwit.testfs", "build/testfs")).resolve("rootfs");
        assertTrue(Files.isDirectory(testRootfs), "run scripts/testfs first: " + testRootfs);
        store = new ContentImageStore(tmp.resolve("images"));
        store.importImage("busybox", testRootfs);
    }

    @AfterEach
    void tearDown() throws IOException {
        for (ContainerRootfs r : made) {
            r.destroy();
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mountPoint = line.split(" ")[4];
            if (mountPoint.startsWith(tmp.toString())) {
                HostCommand.run(List.of("umount", "-l", mountPoint));
            }
        }
    }

    private static long blocks(Path p) throws IOException {
        return Long.parseLong(HostCommand.run(List.of("stat", "-c", "%b", p.toString())).strip());
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The cases, made through the mounted overlay of a running container's rootfs. */
    private static void change(Path root) throws IOException {
        Files.delete(root.resolve("bin/vi"));                                   // a file of the image
        HostCommand.run(List.of("rm", "-rf", root.resolve("etc").toString()));  // a directory replaced
        Files.createDirectory(root.resolve("etc"));
        Files.writeString(root.resolve("etc/c"), "c\n");
        HostCommand.run(List.of("mv", root.resolve("var").toString(), root.resolve("var2").toString())); // renamed
        Files.delete(root.resolve("bin/sed"));                                  // deleted and re-created
        Files.writeString(root.resolve("bin/sed"), "new\n");
        try (RandomAccessFile f = new RandomAccessFile(root.resolve("root/sparse").toFile(), "rw")) {
            f.setLength(64 * MIB);
            f.seek(1_000_000);
            f.write('z');
        }
        Files.writeString(root.resolve("root/h1"), "linked\n");
        Files.createLink(root.resolve("root/h2"), root.resolve("root/h1"));
        OverlayLayer.setXattr(root.resolve("root/h1"), "user.godwit", "kept");
        OverlayLayer.setXattr(root.resolve("root/h1"), "trusted.godwit", "kept too");
    }

    private static void assertChanged(Path root) throws IOException {
        assertFalse(Files.exists(root.resolve("bin/vi"), java.nio.file.LinkOption.NOFOLLOW_LINKS), "deleted file came back");
        assertEquals(List.of("c"), names(root.resolve("etc")), "replaced directory shows the image's files");
        assertFalse(Files.exists(root.resolve("var")), "renamed directory is back under its old name");
        assertEquals(List.of("log"), names(root.resolve("var2")));
        assertEquals("new\n", Files.readString(root.resolve("bin/sed")));
        assertEquals(64 * MIB, Files.size(root.resolve("root/sparse")));
        assertTrue(blocks(root.resolve("root/sparse")) <= 64, "the holes were filled: " + blocks(root.resolve("root/sparse")));
        try (RandomAccessFile f = new RandomAccessFile(root.resolve("root/sparse").toFile(), "r")) {
            f.seek(1_000_000);
            assertEquals('z', f.read());
        }
        assertTrue(Files.isSameFile(root.resolve("root/h1"), root.resolve("root/h2")), "hard link broken");
        assertEquals("kept", OverlayLayer.xattr(root.resolve("root/h1"), "user.godwit"));
        assertEquals("kept too", OverlayLayer.xattr(root.resolve("root/h1"), "trusted.godwit"));
        assertTrue(Files.isExecutable(root.resolve("bin/busybox")), "the image's own files are there");
    }

    @Test
    void savedChangesBecomeTheNewUpperDirAsTheyAre() throws IOException {
        ContainerRootfs first = store.createRootfs("busybox", tmp.resolve("containers/first"));
        made.add(first);
        change(first.path());
        assertChanged(first.path());
        assertTrue(OverlayLayer.isWhiteout(first.changesDir().resolve("bin/vi")));
        assertTrue(OverlayLayer.isOpaque(first.changesDir().resolve("etc")));

        // What a checkpoint keeps, then what a restore hands the store (a copy it may consume).
        Path saved = tmp.resolve("checkpoint/rootfs");
        LayerCopy.copy(first.changesDir(), saved);
        assertTrue(OverlayLayer.isWhiteout(saved.resolve("bin/vi")));
        assertTrue(OverlayLayer.isOpaque(saved.resolve("etc")));
        assertTrue(blocks(saved.resolve("root/sparse")) <= 64);
        Path incoming = tmp.resolve("work/changes");
        LayerCopy.copy(saved, incoming);

        ContainerRootfs second = store.createRootfs("busybox", tmp.resolve("containers/second"), incoming);
        made.add(second);
        assertFalse(Files.exists(incoming), "the changes were consumed");
        assertTrue(MountTable.isMountPoint(second.path()));
        assertChanged(second.path());
        assertTrue(OverlayLayer.isWhiteout(second.changesDir().resolve("bin/vi")));

        // and again after an unmount, as after a reboot
        MountTable.unmount(second.path());
        assertChanged(store.openRootfs(tmp.resolve("containers/second")).path());
    }

    /**
     * Changes saved on another overlay (another host's image, say) carry copy-up origins that point
     * into that overlay's lower layer; with index=on the kernel checks the upper root's origin
     * against this lower layer. The new upper layer forgets them and keeps its meaning.
     */
    @Test
    void changesMadeOnAnotherOverlayForgetTheirOriginsAndMount() throws IOException {
        Path incoming = Files.createDirectories(tmp.resolve("work/foreign"));
        Files.writeString(Files.createDirectories(incoming.resolve("etc")).resolve("motd"), "from elsewhere\n");
        OverlayLayer.setXattr(incoming, OverlayLayer.ORIGIN, "not a handle of this host's image");
        OverlayLayer.setXattr(incoming.resolve("etc"), OverlayLayer.ORIGIN, "nor this");
        OverlayLayer.setXattr(incoming.resolve("etc"), OverlayLayer.OPAQUE, "y");
        ContainerRootfs r = store.createRootfs("busybox", tmp.resolve("containers/foreign"), incoming);
        made.add(r);
        assertTrue(MountTable.isMountPoint(r.path()));
        // the kernel, mounting with index=on, records the origin of this lower layer instead
        assertFalse("not a handle of this host's image".equals(OverlayLayer.xattr(r.changesDir(), OverlayLayer.ORIGIN)));
        assertEquals(null, OverlayLayer.xattr(r.changesDir().resolve("etc"), OverlayLayer.ORIGIN));
        assertTrue(OverlayLayer.isOpaque(r.changesDir().resolve("etc")), "the layer's meaning stays");
        assertEquals("from elsewhere\n", Files.readString(r.path().resolve("etc/motd")));
        assertFalse(Files.exists(r.path().resolve("etc/passwd")), "opaque: the image's /etc is hidden");
    }

    @Test
    void aCopyRootfsIsMadeFromItsSavedTreeAlone() throws IOException {
        ContentImageStore copies = new ContentImageStore(tmp.resolve("images-copy"), RootfsMode.COPY);
        copies.importImage("busybox", Path.of(System.getProperty("godwit.testfs", "build/testfs")).resolve("rootfs"));
        ContainerRootfs first = copies.createRootfs("busybox", tmp.resolve("containers/copy1"));
        made.add(first);
        change(first.path());
        Path incoming = tmp.resolve("work/copy-changes");
        LayerCopy.copy(first.changesDir(), incoming);
        ContainerRootfs second = copies.createRootfs("busybox", tmp.resolve("containers/copy2"), incoming);
        made.add(second);
        assertChanged(second.path());
    }
}
