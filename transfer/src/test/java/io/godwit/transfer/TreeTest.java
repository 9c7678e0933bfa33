package io.godwit.transfer;

import com.google.protobuf.ByteString;
import io.godwit.proto.peer.EntryType;
import io.godwit.proto.peer.FileEnd;
import io.godwit.proto.peer.FileEntry;
import io.godwit.proto.peer.Frame;
import io.godwit.proto.peer.TreeBegin;
import io.godwit.proto.peer.TreeEnd;
import io.netty.channel.Channel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class TreeTest {
    @AfterEach
    void noTamper() {
        TreeSender.tamper = null;
    }

    static void write(Path p, int size, long seed) throws IOException {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Files.createDirectories(p.getParent());
        Files.write(p, b);
    }

    static void mtime(Path p, long ns) throws IOException {
        FileMeta.applyMtime(p, FileMeta.read(p, p.getFileName().toString()).setMtimeNs(ns).build());
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertEquals(0, p.waitFor(), String.join(" ", cmd));
    }

    /** A tree with every kind of entry Godwit must carry. */
    static Path sampleTree(Path src) throws Exception {
        Files.createDirectories(src);
        write(src.resolve("big.bin"), 3 * 1024 * 1024 + 17, 1);   // several chunks
        write(src.resolve("etc/conf"), 100, 2);
        Files.createFile(src.resolve("empty"));
        write(src.resolve("bin/tool"), 5000, 3);
        Files.setAttribute(src.resolve("bin/tool"), "unix:mode", 04755, SafePaths.NOFOLLOW);
        Files.setAttribute(src.resolve("etc/conf"), "unix:mode", 0640, SafePaths.NOFOLLOW);
        Files.createSymbolicLink(src.resolve("etc/link-rel"), Path.of("conf"));
        Files.createSymbolicLink(src.resolve("abs-link"), Path.of("/etc/passwd"));   // copied verbatim, never followed
        Files.createLink(src.resolve("bin/tool-hard"), src.resolve("bin/tool"));
        write(src.resolve("ro/inside"), 10, 4);
        if (Privileges.ROOT) {
            run("mknod", "-m", "0666", src.resolve("null-dev").toString(), "c", "1", "3");
            Files.setAttribute(src.resolve("etc/conf"), "unix:uid", 1234, SafePaths.NOFOLLOW);
            Files.setAttribute(src.resolve("etc/conf"), "unix:gid", 4321, SafePaths.NOFOLLOW);
        }
        run("mkfifo", "-m", "0620", src.resolve("fifo").toString());
        try {
            Files.getFileAttributeView(src.resolve("etc/conf"), UserDefinedFileAttributeView.class)
                    .write("godwit.test", ByteBuffer.wrap("xattr-value".getBytes()));
        } catch (IOException | UnsupportedOperationException ignored) {
            // fs without user xattrs: compare() then sees none on either side
        }
        Files.setAttribute(src.resolve("ro"), "unix:mode", 0555, SafePaths.NOFOLLOW);
        long ns = 1_700_000_000_123_456_789L;
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.toList()) mtime(p, ns += 1_000_003);
        }
        return src;
    }

    /** Every entry's metadata and every file's content and xattrs (all namespaces) must match. */
    static void assertSameTree(Path a, Path b) throws IOException {
        Map<String, FileEntry> ea = index(a), eb = index(b);
        assertEquals(ea.keySet(), eb.keySet());
        for (String k : ea.keySet()) {
            assertEquals(ea.get(k), eb.get(k), "metadata of " + k);
            if (ea.get(k).getType() == EntryType.REGULAR) {
                assertEquals(HexFormat.of().formatHex(Fingerprints.sha256(Files.readAllBytes(a.resolve(k)))),
                        HexFormat.of().formatHex(Fingerprints.sha256(Files.readAllBytes(b.resolve(k)))), "content of " + k);
            }
        }
    }

    private static Map<String, FileEntry> index(Path root) throws IOException {
        Map<String, FileEntry> m = new HashMap<>();
        for (FileEntry e : TreeScanner.scan(root, false)) {
            FileEntry.Builder b = e.toBuilder();
            if (e.getType() != EntryType.HARDLINK) FileMeta.readXattrs(root.resolve(e.getPath()), b);
            m.put(e.getPath(), b.build());
        }
        return m;
    }

    static List<Path> leftovers(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith(TreeReceiver.TMP_PREFIX)).toList();
        }
    }

    @Test
    void treeRoundTripPreservesContentModesLinksTimesAndDevices() throws Exception {
        try (Fixture f = new Fixture(null, true); PeerSession s = f.connect()) {
            Path src = sampleTree(f.dir.resolve("src"));
            AtomicLong last = new AtomicLong();
            TreeStats st = s.sendTree(src, "rootfs", SyncMode.FULL, (done, total, path) -> last.set(done));
            Path dst = f.dir.resolve("trees/rootfs");
            assertSameTree(src, dst);
            assertTrue(Files.isSameFile(dst.resolve("bin/tool"), dst.resolve("bin/tool-hard")), "hard link kept");
            assertEquals("/etc/passwd", Files.readSymbolicLink(dst.resolve("abs-link")).toString());
            assertEquals(st.bytes(), st.bytesSent());
            assertEquals(st.bytes(), last.get());
            assertEquals(3 * 1024 * 1024 + 17 + 100 + 5000 + 10, st.bytes());
            if (Privileges.ROOT) {
                assertEquals(0020000, (Integer) Files.getAttribute(dst.resolve("null-dev"), "unix:mode") & 0170000);
                assertEquals(Files.getAttribute(src.resolve("null-dev"), "unix:rdev"), Files.getAttribute(dst.resolve("null-dev"), "unix:rdev"));
            }
            assertTrue(leftovers(dst).isEmpty());
            assertTrue(f.service.seen.contains("tree rootfs"));
        }
    }

    @Test
    void aByteFlippedInFlightFailsTheTreeAndLeavesNothingInPlace() throws Exception {
        try (Fixture f = new Fixture(null, true); PeerSession s = f.connect()) {
            Path src = f.dir.resolve("src");
            write(src.resolve("a-small"), 10, 7);
            write(src.resolve("z/big.bin"), 2 * 1024 * 1024, 8);
            TreeSender.tamper = (path, offset, buf, index, length) -> {
                if (path.equals("z/big.bin") && offset > 0) buf.setByte(index + 5, buf.getByte(index + 5) ^ 1);
            };
            TransferException e = assertThrows(TransferException.class, () -> s.sendTree(src, "t", SyncMode.FULL, null));
            assertTrue(e.getMessage().contains("checksum mismatch for 'z/big.bin'"), e.getMessage());
            Path dst = f.dir.resolve("trees/t");
            Thread.sleep(200); // the receiver cleans up on its own thread
            assertFalse(Files.exists(dst.resolve("z/big.bin")));
            assertTrue(leftovers(dst).isEmpty(), "temporary files left: " + leftovers(dst));
            // the session is still usable and a clean resend succeeds
            TreeSender.tamper = null;
            s.sendTree(src, "t", SyncMode.INCREMENTAL, null);
            assertSameTree(src, dst);
        }
    }

    /** Speaks the tree protocol by hand to send names no honest sender would produce. */
    static TransferException sendRaw(Fixture f, String treeId, FileEntry... entries) throws Exception {
        ClientConnector c = new ClientConnector(f.addr(), f.clientId, f.serverId.fingerprint(), TlsContexts.ALPN_PEER);
        FrameQueue q = new FrameQueue("test");
        Channel ch = c.openSync(true, p -> p.addLast(q));
        try {
            ch.writeAndFlush(Wire.encode(ch.alloc(), Frame.newBuilder().setTreeBegin(TreeBegin.newBuilder().setTreeId(treeId)).build()));
            while (!q.take(5000, "inventory").getInventory().getLast()) { }
            for (FileEntry e : entries) {
                ch.writeAndFlush(Wire.encode(ch.alloc(), Frame.newBuilder().setFileEntry(e).build()));
                if (e.getType() == EntryType.REGULAR) {
                    ch.writeAndFlush(Wire.encode(ch.alloc(), Frame.newBuilder().setFileEnd(FileEnd.newBuilder()
                            .setSha256(ByteString.copyFrom(Fingerprints.sha256(new byte[0])))).build()));
                }
            }
            ch.writeAndFlush(Wire.encode(ch.alloc(), Frame.newBuilder().setTreeEnd(TreeEnd.getDefaultInstance()).build()));
            Frame done = q.take(5000, "tree result");
            fail("receiver accepted the tree: " + done);
            return null;
        } catch (TransferException e) {
            return e;
        } finally {
            ch.close();
        }
    }

    static FileEntry file(String path) {
        return FileEntry.newBuilder().setPath(path).setType(EntryType.REGULAR).setMode(0644).build();
    }

    @Test
    void maliciousNamesAreRefusedAndNothingIsWrittenOutside() throws Exception {
        try (Fixture f = new Fixture(null, true)) {
            Path outside = Files.createDirectories(f.dir.resolve("outside"));
            String abs = outside.resolve("abs").toString();
            List<Map.Entry<String, FileEntry[]>> cases = new java.util.ArrayList<>();
            cases.add(Map.entry("'..' component", new FileEntry[] {file("../x")}));
            cases.add(Map.entry("absolute path", new FileEntry[] {file(abs)}));
            cases.add(Map.entry("'..' component", new FileEntry[] {file("a/../../x")}));
            cases.add(Map.entry("is a symbolic link", new FileEntry[] {
                    FileEntry.newBuilder().setPath("d").setType(EntryType.SYMLINK).setLinkTarget(outside.toString()).build(),
                    file("d/file")}));
            cases.add(Map.entry("target is not a regular file", new FileEntry[] {
                    FileEntry.newBuilder().setPath("h").setType(EntryType.HARDLINK).setLinkTarget("d").build()}));
            cases.add(Map.entry("refusing", new FileEntry[] {
                    FileEntry.newBuilder().setPath("h2").setType(EntryType.HARDLINK).setLinkTarget("../outside/victim").build()}));
            cases.add(Map.entry("empty component", new FileEntry[] {file("a//b")}));
            cases.add(Map.entry("NUL", new FileEntry[] {file("a\0b")}));
            cases.add(Map.entry("empty path", new FileEntry[] {file("")}));
            cases.add(Map.entry("symbolic link inside", new FileEntry[] {
                    FileEntry.newBuilder().setPath("e").setType(EntryType.SYMLINK).setLinkTarget("/tmp").build(),
                    FileEntry.newBuilder().setPath("e/sub").setType(EntryType.DIRECTORY).setMode(0755).build()}));
            write(outside.resolve("victim"), 10, 9);
            int i = 0;
            for (var c : cases) {
                TransferException e = sendRaw(f, "evil" + i++, c.getValue());
                assertTrue(e.getMessage().contains(c.getKey()), c.getKey() + " -> " + e.getMessage());
            }
            try (Stream<Path> s = Files.list(outside)) {
                assertEquals(List.of(outside.resolve("victim")), s.toList(), "nothing may appear outside the target");
            }
            assertFalse(Files.exists(f.dir.resolve("x")));
            assertFalse(Files.exists(f.dir.resolve("trees/x")));
            assertFalse(Files.exists(Path.of("/tmp/sub")));
            assertTrue(leftovers(f.dir.resolve("trees")).isEmpty());
        }
    }

    @Test
    void incrementalSyncSendsOnlyChangesAndDeletesRemovedEntries() throws Exception {
        try (Fixture f = new Fixture(null, true); PeerSession s = f.connect()) {
            Path src = f.dir.resolve("src");
            for (int i = 0; i < 20; i++) write(src.resolve("d" + (i % 4) + "/f" + i), 10_000 + i, i);
            write(src.resolve("gone-dir/a/b"), 50, 99);
            TreeStats full = s.sendTree(src, "rootfs", SyncMode.FULL, null);
            assertEquals(full.bytes(), full.bytesSent());
            Path dst = f.dir.resolve("trees/rootfs");
            assertSameTree(src, dst);

            write(src.resolve("d1/f5"), 10_005, 1234);          // same size, new content and mtime
            mtime(src.resolve("d1/f5"), 1_800_000_000_000_000_000L);
            Files.delete(src.resolve("d2/f6"));
            SafePaths.deleteRecursively(src.resolve("gone-dir"));
            write(src.resolve("new/file"), 777, 5);
            Files.createSymbolicLink(src.resolve("d0/link"), Path.of("f4"));
            TreeStats inc = s.sendTree(src, "rootfs", SyncMode.INCREMENTAL, null);
            assertEquals(10_005 + 777, inc.bytesSent());
            assertSameTree(src, dst);
            assertFalse(Files.exists(dst.resolve("gone-dir")));
            assertTrue(inc.filesSent() < 15, "sent " + inc.filesSent());

            TreeStats again = s.sendTree(src, "rootfs", SyncMode.INCREMENTAL, null);
            assertEquals(0, again.bytesSent());
        }
    }
}
