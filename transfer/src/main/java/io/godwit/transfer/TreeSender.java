package io.godwit.transfer;

import com.google.protobuf.ByteString;
import io.godwit.proto.peer.DeleteEntries;
import io.godwit.proto.peer.EntryType;
import io.godwit.proto.peer.Extent;
import io.godwit.proto.peer.FileEnd;
import io.godwit.proto.peer.FileEntry;
import io.godwit.proto.peer.Frame;
import io.godwit.proto.peer.TreeBegin;
import io.godwit.proto.peer.TreeEnd;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sends one tree over its own connection, on the calling thread: this thread reads and
 * hashes while the event loop encrypts, and it never reads a chunk before the channel can
 * take it.
 */
final class TreeSender {
    static final int CHUNK = Integer.getInteger("godwit.transfer.chunk", 512 << 10);
    private static final long REPLY_TIMEOUT_MS = 10 * 60_000L; // the receiver may be scanning or fsyncing a big tree

    /** Test hook: sees each chunk after it was hashed, before it is sent (to corrupt it in flight). */
    interface ChunkTamper {
        void afterHash(String path, long offset, ByteBuf buf, int index, int length);
    }

    static volatile ChunkTamper tamper = faultFromProperty(System.getProperty("godwit.fault.flipByteOf"));

    /**
     * Fault injection for end-to-end tests of whole daemons: -Dgodwit.fault.flipByteOf=NAME flips
     * one byte of the first chunk of the first file named NAME this JVM sends, after hashing, as a
     * bad network path would. Unset (always, in production) it does nothing.
     */
    static ChunkTamper faultFromProperty(String fileName) {
        if (fileName == null || fileName.isEmpty()) return null;
        java.util.concurrent.atomic.AtomicBoolean fired = new java.util.concurrent.atomic.AtomicBoolean();
        return (path, offset, buf, index, length) -> {
            String base = path.substring(path.lastIndexOf('/') + 1);
            if (base.equals(fileName) && length > 0 && fired.compareAndSet(false, true)) {
                buf.setByte(index, buf.getByte(index) ^ 0x01);
            }
        };
    }

    private final ClientConnector connector;

    TreeSender(ClientConnector connector) {
        this.connector = connector;
    }

    TreeStats send(Path localDir, String treeId, SyncMode mode, ProgressListener progress) throws IOException {
        long t0 = System.nanoTime();
        if (!Files.isDirectory(localDir)) throw new TransferException("not a directory: " + localDir);
        List<FileEntry> local = TreeScanner.scan(localDir, true);
        long totalBytes = 0;
        for (FileEntry e : local) totalBytes += e.getSize();

        FrameQueue q = new FrameQueue(connector.address().toString());
        Channel ch = connector.openSync(true, p -> p.addLast("tree", q));
        try {
            write(ch, Frame.newBuilder().setTreeBegin(TreeBegin.newBuilder().setTreeId(treeId)
                    .setIncremental(mode == SyncMode.INCREMENTAL).setTotalEntries(local.size()).setTotalBytes(totalBytes)).build());
            Map<String, FileEntry> have = new HashMap<>();
            for (boolean last = false; !last; ) {
                Frame f = q.take(REPLY_TIMEOUT_MS, "the receiver's inventory of tree " + treeId);
                if (!f.hasInventory()) throw new TransferException("expected an inventory, peer sent " + f.getBodyCase());
                f.getInventory().getEntriesList().forEach(e -> have.put(e.getPath(), e));
                last = f.getInventory().getLast();
            }
            sendDeletes(ch, local, have);

            long sent = 0, filesSent = 0, done = 0;
            for (FileEntry e : local) {
                Frame early = q.poll("sending tree " + treeId);
                if (early != null) throw new TransferException("unexpected " + early.getBodyCase() + " from receiver");
                if (mode == SyncMode.INCREMENTAL && unchanged(e, have.get(e.getPath()))) {
                    done += e.getSize();
                    continue;
                }
                filesSent++;
                Path p = localDir.resolve(e.getPath());
                if (e.getType() == EntryType.REGULAR) {
                    Sent n = sendFile(ch, q, p, e, done, totalBytes, progress);
                    sent += n.dataBytes();
                    done += n.size();
                } else {
                    FileEntry.Builder b = e.toBuilder();
                    try {
                        // a hard link shares its first name's inode, attributes included
                        if (e.getType() != EntryType.HARDLINK) FileMeta.readXattrs(p, b);
                    } catch (java.nio.file.NoSuchFileException gone) {
                        continue; // deleted by a running container since the scan; the next pass deletes it there
                    }
                    awaitAndWrite(ch, q, Frame.newBuilder().setFileEntry(b).build());
                }
                progress.progress(done, totalBytes, e.getPath());
            }
            awaitAndWrite(ch, q, Frame.newBuilder().setTreeEnd(TreeEnd.newBuilder().setEntries(filesSent).setBytesSent(sent)).build());
            Frame f = q.take(REPLY_TIMEOUT_MS, "the receiver's confirmation of tree " + treeId);
            if (!f.hasTreeDone()) throw new TransferException("expected TreeDone, peer sent " + f.getBodyCase());
            if (f.getTreeDone().getBytesReceived() != sent) {
                throw new TransferException("receiver counted " + f.getTreeDone().getBytesReceived() + " bytes, we sent " + sent);
            }
            return new TreeStats(local.size(), totalBytes, sent, Duration.ofNanos(System.nanoTime() - t0), filesSent);
        } catch (IOException | RuntimeException e) {
            if (ch.isActive()) ch.writeAndFlush(Wire.encode(ch.alloc(), Wire.failure("sender: " + e.getMessage())));
            throw e;
        } finally {
            ch.close();
        }
    }

    /** Entries the receiver has and we do not, without those already inside a deleted directory. */
    private void sendDeletes(Channel ch, List<FileEntry> local, Map<String, FileEntry> have) throws IOException {
        Set<String> mine = new HashSet<>();
        local.forEach(e -> mine.add(e.getPath()));
        List<String> gone = new ArrayList<>();
        Set<String> goneSet = new HashSet<>();
        for (String path : have.keySet().stream().sorted().toList()) {
            if (mine.contains(path)) continue;
            int slash = path.lastIndexOf('/');
            boolean covered = false;
            for (int i = slash; i > 0 && !covered; i = path.lastIndexOf('/', i - 1)) covered = goneSet.contains(path.substring(0, i));
            if (!covered) gone.add(path);
            goneSet.add(path);
        }
        for (int i = 0; i < gone.size(); i += 1000) {
            write(ch, Frame.newBuilder().setDeleteEntries(DeleteEntries.newBuilder()
                    .addAllPaths(gone.subList(i, Math.min(gone.size(), i + 1000)))).build());
        }
    }

    /** Same type, size, mode, owner, mtime and link target: the receiver already has it. Directories are always sent (cheap, and their metadata is applied last). */
    static boolean unchanged(FileEntry mine, FileEntry theirs) {
        if (theirs == null || mine.getType() == EntryType.DIRECTORY || mine.getType() == EntryType.HARDLINK) return false;
        return mine.getType() == theirs.getType() && mine.getSize() == theirs.getSize() && mine.getMode() == theirs.getMode()
                && mine.getUid() == theirs.getUid() && mine.getGid() == theirs.getGid()
                && mine.getMtimeNs() == theirs.getMtimeNs() && mine.getLinkTarget().equals(theirs.getLinkTarget())
                && mine.getRdev() == theirs.getRdev();
    }

    /** What one regular file cost: content bytes sent, and its size (holes included). */
    private record Sent(long dataBytes, long size) {
    }

    /** Reads len bytes of the file at pos into buf (after the data header the caller wrote). */
    private interface Source {
        void fill(ByteBuf buf, long pos, int len) throws IOException;
    }

    /**
     * Sends a regular file: a file with holes as its data ranges only (read through the same open
     * file that named them), any other one as a plain run of bytes through a FileChannel.
     */
    private Sent sendFile(Channel ch, FrameQueue q, Path p, FileEntry e, long done, long total, ProgressListener progress) throws IOException {
        try {
            try (SparseFile sparse = SparseFile.open(p)) {
                if (sparse.hasHoles()) {
                    byte[] staging = new byte[(int) Math.min(CHUNK, Math.max(1, sparse.size()))];
                    FileEntry.Builder b = e.toBuilder().setSize(sparse.size()).setSparse(true).addAllExtents(sparse.dataRanges());
                    FileMeta.readXattrs(p, b);
                    long n = sendContent(ch, q, b.build(), sparse.dataRanges(), (buf, pos, len) -> {
                        sparse.read(pos, staging, len);
                        buf.writeBytes(staging, 0, len);
                    }, done, total, progress);
                    return new Sent(n, sparse.size());
                }
            }
            try (FileChannel in = FileChannel.open(p, StandardOpenOption.READ, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                // The size at open time: a file of a running container may have changed since the scan.
                // Its mtime changed too, so the next incremental pass sends it again.
                long size = in.size();
                FileEntry.Builder b = e.toBuilder().setSize(size);
                FileMeta.readXattrs(p, b);
                List<Extent> whole = size == 0 ? List.of() : List.of(Extent.newBuilder().setLength(size).build());
                long n = sendContent(ch, q, b.build(), whole, (buf, pos, len) -> {
                    int end = buf.writerIndex() + len;
                    while (buf.writerIndex() < end) {
                        int r = buf.writeBytes(in, pos + len - (end - buf.writerIndex()), end - buf.writerIndex());
                        if (r < 0) throw new TransferException("'" + e.getPath() + "' shrank while it was being sent");
                    }
                }, done, total, progress);
                return new Sent(n, size);
            }
        } catch (java.nio.file.NoSuchFileException gone) {
            // Deleted by a running container since the scan: not sent now, deleted by the next incremental pass.
            return new Sent(0, 0);
        }
    }

    /** The entry, the bytes of its ranges in chunks, then FileEnd with their SHA-256; returns the bytes sent. */
    private long sendContent(Channel ch, FrameQueue q, FileEntry entry, List<Extent> ranges, Source source, long done,
            long total, ProgressListener progress) throws IOException {
        awaitAndWrite(ch, q, Frame.newBuilder().setFileEntry(entry).build());
        MessageDigest md = Fingerprints.newSha256();
        long sent = 0;
        for (Extent range : ranges) {
            for (long pos = range.getOffset(), end = range.getOffset() + range.getLength(); pos < end; ) {
                int n = (int) Math.min(CHUNK, end - pos);
                q.awaitWritable(ch, "sending '" + entry.getPath() + "'");
                Frame early = q.poll("sending '" + entry.getPath() + "'");
                if (early != null) throw new TransferException("unexpected " + early.getBodyCase() + " from receiver");
                ByteBuf buf = ch.alloc().directBuffer(Wire.HEADER + n);
                try {
                    Wire.writeDataHeader(buf, n);
                    source.fill(buf, pos, n);
                    md.update(buf.nioBuffer(Wire.HEADER, n));
                    ChunkTamper t = tamper;
                    if (t != null) t.afterHash(entry.getPath(), pos, buf, Wire.HEADER, n);
                } catch (IOException | RuntimeException ex) {
                    buf.release();
                    throw ex;
                }
                ch.writeAndFlush(buf, ch.voidPromise());
                pos += n;
                sent += n;
                progress.progress(done + sent, total, entry.getPath());
            }
        }
        awaitAndWrite(ch, q, Frame.newBuilder().setFileEnd(FileEnd.newBuilder().setSha256(ByteString.copyFrom(md.digest()))).build());
        return sent;
    }

    private static void write(Channel ch, Frame f) {
        ch.writeAndFlush(Wire.encode(ch.alloc(), f), ch.voidPromise());
    }

    private static void awaitAndWrite(Channel ch, FrameQueue q, Frame f) throws IOException {
        q.awaitWritable(ch, "sending " + f.getBodyCase());
        write(ch, f);
    }
}
