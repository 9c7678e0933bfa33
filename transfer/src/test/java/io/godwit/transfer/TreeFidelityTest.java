package io.godwit.transfer;

import io.godwit.proto.peer.EntryType;
import io.godwit.proto.peer.Extent;
import io.godwit.proto.peer.FileEntry;
import io.godwit.proto.peer.Xattr;
import io.godwit.transfer.internal.FileCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What an overlay's upper layer holds crosses as it is: holes stay holes (st_blocks), whiteouts
 * stay whiteouts, and attributes of every namespace (trusted.overlay.opaque, security.capability)
 * arrive; a peer's data ranges and attribute names are checked before anything is written.
 */
class TreeFidelityTest {
    private static final long MIB = 1 << 20;

    @AfterEach
    void noTamper() {
        TreeSender.tamper = null;
    }

    /** 512-byte blocks allocated to p (stat's st_blocks), which the JDK does not report. */
    static long blocks(Path p) throws Exception {
        Process proc = new ProcessBuilder("stat", "-c", "%b", p.toString()).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, proc.waitFor(), out);
        return Long.parseLong(out);
    }

    /** A file of size bytes that is all hole except the given bytes at the given offsets. */
    static void sparse(Path p, long size, long... offsets) throws IOException {
        Files.createDirectories(p.getParent());
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
            for (long off : offsets) {
                f.seek(off);
                f.write('z');
            }
        }
    }

    static void setXattr(Path p, String name, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        assertEquals(0, FileCalls.INSTANCE.lsetxattr(p.toString(), name, v, v.length, 0),
                "setxattr " + name + " on " + p + ": " + FileCalls.describe(FileCalls.errno()));
    }

    static String xattr(Path p, String name) throws IOException {
        for (Xattr x : Xattrs.read(p)) {
            if (x.getName().equals(name)) return x.getValue().toStringUtf8();
        }
        return null;
    }

    static void whiteout(Path p) throws Exception {
        TreeTest.run("mknod", p.toString(), "c", "0", "0");
    }

    @Test
    void aSparseFileArrivesWithItsHolesAndOnlyItsDataIsSent() throws Exception {
        try (Fixture f = new Fixture(null, true); PeerSession s = f.connect()) {
            Path src = f.dir.resolve("src");
            sparse(src.resolve("one-byte"), 64 * MIB, 1_000_000);          // the case
            sparse(src.resolve("all-hole"), 10 * MIB);                      // no data at all
            sparse(src.resolve("ends-in-data"), 8 * MIB, 0, 3 * MIB, 8 * MIB - 1); // data at both ends
            TreeTest.write(src.resolve("dense"), 300_000, 3);
            assertTrue(blocks(src.resolve("one-byte")) <= 64, "the source itself must be sparse");

            TreeStats st = s.sendTree(src, "rootfs", SyncMode.FULL, null);
            Path dst = f.dir.resolve("trees/rootfs");
            TreeTest.assertSameTree(src, dst);
            for (String name : List.of("one-byte", "all-hole", "ends-in-data")) {
                assertEquals(blocks(src.resolve(name)), blocks(dst.resolve(name)), name + " was filled in");
            }
            assertTrue(blocks(dst.resolve("one-byte")) < 131072, "64 MiB arrived fully allocated");
            assertEquals(64 * MIB, Files.size(dst.resolve("one-byte")));
            assertEquals(64 * MIB + 10 * MIB + 8 * MIB + 300_000, st.bytes(), "sizes, holes included");
            assertTrue(st.bytesSent() < 300_000 + 64 * 4096, "holes were sent as zeros: " + st.bytesSent());
            assertTrue(TreeTest.leftovers(dst).isEmpty());

            // An unchanged sparse file is skipped; a changed one is sent again with its new ranges.
            assertEquals(0, s.sendTree(src, "rootfs", SyncMode.INCREMENTAL, null).bytesSent());
            sparse(src.resolve("one-byte"), 64 * MIB, 1_000_000, 50 * MIB);
            TreeTest.mtime(src.resolve("one-byte"), 1_900_000_000_000_000_000L);
            TreeStats inc = s.sendTree(src, "rootfs", SyncMode.INCREMENTAL, null);
            assertTrue(inc.bytesSent() > 0 && inc.bytesSent() <= 2 * 64 * 4096, "sent " + inc.bytesSent());
            TreeTest.assertSameTree(src, dst);
            assertEquals(blocks(src.resolve("one-byte")), blocks(dst.resolve("one-byte")));
        }
    }

    @Test
    void aSparseFileFlippedInFlightFailsItsChecksum() throws Exception {
        try (Fixture f = new Fixture(null, true); PeerSession s = f.connect()) {
            Path src = f.dir.resolve("src");
            sparse(src.resolve("holey"), 16 * MIB, 5 * MIB);
            TreeSender.tamper = (path, offset, buf, index, length) -> buf.setByte(index, buf.getByte(index) ^ 1);
            TransferException e = assertThrows(TransferException.class, () -> s.sendTree(src, "t", SyncMode.FULL, null));
            assertTrue(e.getMessage().contains("checksum mismatch for 'holey'"), e.getMessage());
            Thread.sleep(200); // the receiver cleans up on its own thread
            assertFalse(Files.exists(f.dir.resolve("trees/t/holey")));
            assertTrue(TreeTest.leftovers(f.dir.resolve("trees/t")).isEmpty());
        }
    }

    @Test
    void anUpperLayerCrossesWithWhiteoutsOpaqueDirectoriesXattrsAndHardLinks() throws Exception {
        assumeRoot();
        try (Fixture f = new Fixture(null, true); PeerSession s = f.connect()) {
            Path src = f.dir.resolve("src");
            Files.createDirectories(src.resolve("bin"));
            whiteout(src.resolve("bin/vi"));                          // deleted image file
            whiteout(src.resolve("old"));                             // renamed directory: its old name
            TreeTest.write(src.resolve("new/f"), 10, 1);              // ...and its new one
            Files.createDirectories(src.resolve("etc"));
            setXattr(src.resolve("etc"), "trusted.overlay.opaque", "y"); // replaced directory
            TreeTest.write(src.resolve("etc/c"), 3, 2);
            TreeTest.write(src.resolve("bin/sed"), 4, 3);             // deleted and re-created
            TreeTest.write(src.resolve("root/h1"), 5, 4);
            Files.createLink(src.resolve("root/h2"), src.resolve("root/h1"));
            Files.setAttribute(src.resolve("root/h1"), "unix:uid", 1234, SafePaths.NOFOLLOW); // chown clears capabilities: first
            setXattr(src.resolve("root/h1"), "user.godwit", "kept");
            setXattr(src.resolve("root/h1"), "trusted.godwit", "kept too");
            setXattr(src.resolve("root/h1"), "security.capability", "\u0001\u0000\u0000\u0002 \u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000");
            Files.createSymbolicLink(src.resolve("root/link"), Path.of("h1"));
            setXattr(src.resolve("root/link"), "trusted.overlay.origin", "o");

            s.sendTree(src, "rootfs", SyncMode.FULL, null);
            Path dst = f.dir.resolve("trees/rootfs");
            TreeTest.assertSameTree(src, dst);
            for (String w : List.of("bin/vi", "old")) {
                assertEquals(0020000, (Integer) Files.getAttribute(dst.resolve(w), "unix:mode", SafePaths.NOFOLLOW) & 0170000, w);
                assertEquals(0L, Files.getAttribute(dst.resolve(w), "unix:rdev", SafePaths.NOFOLLOW), w);
            }
            assertEquals(EntryType.WHITEOUT, FileMeta.read(dst.resolve("bin/vi"), "bin/vi").getType());
            assertEquals("y", xattr(dst.resolve("etc"), "trusted.overlay.opaque"));
            assertEquals("kept too", xattr(dst.resolve("root/h1"), "trusted.godwit"));
            assertNotNull(xattr(src.resolve("root/h1"), "security.capability"));
            assertNotNull(xattr(dst.resolve("root/h1"), "security.capability"), "chown cleared the file capability");
            assertEquals(1234, Files.getAttribute(dst.resolve("root/h1"), "unix:uid"));
            assertTrue(Files.isSameFile(dst.resolve("root/h1"), dst.resolve("root/h2")), "hard link kept");
            assertEquals("o", xattr(dst.resolve("root/link"), "trusted.overlay.origin"));

            // Later changes mirror exactly: a file becomes a whiteout, a directory loses an attribute.
            Files.delete(src.resolve("bin/sed"));
            whiteout(src.resolve("bin/sed"));
            FileCalls.INSTANCE.lremovexattr(src.resolve("etc").toString(), "trusted.overlay.opaque");
            setXattr(src.resolve("new"), "trusted.overlay.opaque", "y");
            s.sendTree(src, "rootfs", SyncMode.INCREMENTAL, null);
            TreeTest.assertSameTree(src, dst);
            assertEquals(EntryType.WHITEOUT, FileMeta.read(dst.resolve("bin/sed"), "bin/sed").getType());
            assertNull(xattr(dst.resolve("etc"), "trusted.overlay.opaque"));
            assertEquals("y", xattr(dst.resolve("new"), "trusted.overlay.opaque"));
        }
    }

    @Test
    void badDataRangesAndAttributeNamesFromAPeerAreRefused() throws Exception {
        try (Fixture f = new Fixture(null, true)) {
            FileEntry.Builder base = TreeTest.file("f").toBuilder().setSize(100).setSparse(true);
            List<java.util.Map.Entry<String, FileEntry>> cases = List.of(
                    java.util.Map.entry("outside", base.clone().addExtents(range(90, 20)).build()),
                    java.util.Map.entry("overlaps", base.clone().addExtents(range(0, 50)).addExtents(range(40, 5)).build()),
                    java.util.Map.entry("empty", base.clone().addExtents(range(10, 0)).build()),
                    java.util.Map.entry("outside", base.clone().addExtents(range(Long.MAX_VALUE, 2)).build()),
                    java.util.Map.entry("refusing xattr", TreeTest.file("g").toBuilder().addXattrs(Xattr.newBuilder()
                            .setName("evil.namespace").setValue(com.google.protobuf.ByteString.copyFromUtf8("x"))).build()));
            int i = 0;
            for (var c : cases) {
                TransferException e = TreeTest.sendRaw(f, "bad" + i++, c.getValue());
                assertTrue(e.getMessage().contains(c.getKey()), c.getKey() + " -> " + e.getMessage());
            }
            assertTrue(TreeTest.leftovers(f.dir.resolve("trees")).isEmpty());
        }
    }

    private static Extent range(long offset, long length) {
        return Extent.newBuilder().setOffset(offset).setLength(length).build();
    }

    private static void assumeRoot() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Privileges.ROOT, "whiteouts and trusted.* xattrs need root");
    }
}
