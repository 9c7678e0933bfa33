package io.godwit.transfer;

import io.godwit.proto.peer.DeleteEntries;
import io.godwit.proto.peer.Extent;
import io.godwit.proto.peer.FileEnd;
import io.godwit.proto.peer.FileEntry;
import io.godwit.proto.peer.Frame;
import io.godwit.proto.peer.Inventory;
import io.godwit.proto.peer.TreeBegin;
import io.godwit.proto.peer.TreeDone;
import io.godwit.transfer.internal.FileCalls;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Receives one tree on its own connection. Frames are handed from the event loop to one
 * worker thread that hashes and writes; when more than HIGH bytes wait, the connection
 * stops reading (TCP backpressure reaches the sender) until the disk has caught up.
 * Every regular file is written to a temporary name in its final directory and renamed
 * into place only after its SHA-256 matched the sender's.
 */
final class TreeReceiver extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(TreeReceiver.class.getName());
    private static final long HIGH = 16L << 20, LOW = 4L << 20;
    /** How long a failed tree's connection is drained, waiting for the sender to close it. */
    static final long LINGER_SECONDS = 10;
    static final String TMP_PREFIX = ".godwit-tmp-";
    /** fsync each file before renaming it into place (DESIGN: writes that must survive a crash). */
    static final boolean FSYNC = Boolean.parseBoolean(System.getProperty("godwit.transfer.fsync", "true"));

    private final PeerService service;
    private final String peerFp;
    private final TreeBegin begin;
    private final ExecutorService worker;
    private final AtomicLong pending = new AtomicLong();
    private final long started = System.nanoTime();
    private ChannelHandlerContext ctx;

    // Worker-thread state.
    private volatile boolean failed;
    private boolean done;
    private Path root;
    private FileEntry current;
    private Path currentDest, tmp;
    private FileChannel out;
    private MessageDigest digest;
    private long received, entries, bytes;
    /** Content bytes the current file announced: its size, or the sum of its data ranges. */
    private long expected;
    /** Where the next content byte of a sparse file goes: its range, and how far into it. */
    private int range;
    private long inRange;
    private final List<FileEntry> dirs = new ArrayList<>();

    private final boolean durable;

    TreeReceiver(PeerService service, String peerFp, TreeBegin begin) {
        this.service = service;
        this.peerFp = peerFp;
        this.begin = begin;
        this.durable = FSYNC && service.durable(begin.getTreeId());
        this.worker = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("godwit-tree-recv-", 0).daemon().factory());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        worker.execute(() -> step(this::start));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) { // the tree failed and the sender was told: drain, so that it gets to read why
            ReferenceCountUtil.release(msg);
            return;
        }
        long size = msg instanceof Wire.Data d ? d.content().readableBytes() : 64;
        if (pending.addAndGet(size) > HIGH) ctx.channel().config().setAutoRead(false);
        worker.execute(() -> {
            try {
                if (!failed) step(() -> handle(msg));
            } finally {
                ReferenceCountUtil.release(msg);
                if (pending.addAndGet(-size) < LOW && !ctx.channel().config().isAutoRead()) {
                    ctx.channel().config().setAutoRead(true);
                }
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        worker.execute(() -> {
            if (!done && !failed) {
                failed = true;
                LOG.log(Level.WARNING, "tree {0} from {1}: connection lost before the tree was complete", begin.getTreeId(), peerFp);
            }
            discardCurrent();
        });
        worker.shutdown();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.WARNING, "tree " + begin.getTreeId() + " from " + peerFp + ": connection error", cause);
        ctx.close();
    }

    private interface Step {
        void run() throws Exception;
    }

    private void step(Step s) {
        try {
            s.run();
        } catch (Exception e) {
            failed = true;
            discardCurrent();
            String msg = e instanceof TransferException ? e.getMessage()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
            String line = "tree " + begin.getTreeId() + " from " + peerFp + " failed: " + msg;
            if (e instanceof TransferException) LOG.log(Level.WARNING, line); // the message says it all
            else LOG.log(Level.WARNING, line, e);
            // Closing at once, with the sender's data unread, would send a RST, which can wipe our
            // failure message from the sender's socket before it reads it. So: say why, keep
            // draining (channelRead drops everything now), and let the sender close; close anyway later.
            ctx.writeAndFlush(Wire.encode(ctx.alloc(), Wire.failure("receiver: " + msg))).addListener(f -> {
                ctx.channel().config().setAutoRead(true);
                ctx.executor().schedule(() -> { ctx.close(); }, LINGER_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            });
        }
    }

    private void send(Frame f) {
        ctx.writeAndFlush(Wire.encode(ctx.alloc(), f));
    }

    private void start() throws Exception {
        Path target = service.treeTarget(begin.getTreeId(), peerFp);
        if (target == null) throw new TransferException("the daemon refused tree " + begin.getTreeId());
        Files.createDirectories(target);
        root = target.toRealPath();
        // Both modes mirror the source, so the sender needs to know what is here; only
        // INCREMENTAL uses the details to skip unchanged files.
        List<FileEntry> have = TreeScanner.scan(root, false);
        Inventory.Builder inv = Inventory.newBuilder();
        for (FileEntry e : have) {
            inv.addEntries(e);
            if (inv.getEntriesCount() == 2000) {
                send(Frame.newBuilder().setInventory(inv).build());
                inv = Inventory.newBuilder();
            }
        }
        send(Frame.newBuilder().setInventory(inv.setLast(true)).build());
    }

    private void handle(Object msg) throws Exception {
        if (msg instanceof Wire.Data d) {
            data(d.content());
            return;
        }
        Frame f = (Frame) msg;
        switch (f.getBodyCase()) {
            case DELETE_ENTRIES -> delete(f.getDeleteEntries());
            case FILE_ENTRY -> entry(f.getFileEntry());
            case FILE_END -> fileEnd(f.getFileEnd());
            case TREE_END -> treeEnd();
            case FAILURE -> throw new TransferException("sender gave up: " + f.getFailure().getMessage());
            default -> throw new TransferException("unexpected " + f.getBodyCase() + " frame in a tree stream");
        }
    }

    private void delete(DeleteEntries d) throws IOException {
        for (String rel : d.getPathsList()) {
            Path p = SafePaths.resolve(root, rel, false);
            SafePaths.deleteRecursively(p);
        }
    }

    private void entry(FileEntry e) throws IOException {
        if (current != null) throw new TransferException("'" + current.getPath() + "' was not finished before '" + e.getPath() + "'");
        Path dest = SafePaths.resolve(root, e.getPath(), true);
        for (io.godwit.proto.peer.Xattr x : e.getXattrsList()) Xattrs.settable(x.getName(), e.getPath()); // before anything is made
        BasicFileAttributes existing = SafePaths.attrs(dest);
        entries++;
        switch (e.getType()) {
            case DIRECTORY -> {
                if (existing != null && !existing.isDirectory()) {
                    SafePaths.deleteRecursively(dest);
                    existing = null;
                }
                if (existing == null) Files.createDirectory(dest);
                // an existing directory takes the sender's attributes exactly (an opaque mark, say)
                Xattrs.write(dest, e.getXattrsList(), existing != null, e.getPath());
                dirs.add(e); // mode and mtime last: children change the mtime, a 0555 mode would block them
            }
            case REGULAR -> {
                if (e.getSize() < 0) throw new TransferException("negative size for '" + e.getPath() + "'");
                expected = e.getSparse() ? checkRanges(e) : e.getSize();
                range = 0;
                inRange = 0;
                current = e;
                currentDest = dest;
                tmp = dest.resolveSibling(TMP_PREFIX + UUID.randomUUID());
                out = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS));
                digest = Fingerprints.newSha256();
                received = 0;
            }
            case SYMLINK -> {
                if (existing != null) SafePaths.deleteRecursively(dest);
                // The target is stored verbatim and never followed by us.
                Files.createSymbolicLink(dest, Path.of(e.getLinkTarget()));
                FileMeta.apply(dest, e);
            }
            case HARDLINK -> {
                Path target = SafePaths.resolve(root, e.getLinkTarget(), false);
                BasicFileAttributes ta = SafePaths.attrs(target);
                if (ta == null || !ta.isRegularFile()) {
                    throw new UnsafePathException("refusing hard link '" + SafePaths.printable(e.getPath()) + "' -> '"
                            + SafePaths.printable(e.getLinkTarget()) + "': the target is not a regular file of this tree");
                }
                if (existing != null && Files.isSameFile(dest, target)) return;
                if (existing != null) SafePaths.deleteRecursively(dest);
                Files.createLink(dest, target);
            }
            case CHAR_DEVICE, BLOCK_DEVICE, FIFO, WHITEOUT -> {
                if (existing != null) SafePaths.deleteRecursively(dest);
                FileMeta.mknod(dest, e);
                FileMeta.apply(dest, e);
            }
            default -> throw new TransferException("unknown entry type " + e.getType() + " for '" + SafePaths.printable(e.getPath()) + "'");
        }
    }

    private void data(ByteBuf buf) throws IOException {
        if (current == null) throw new TransferException("file content arrived outside of a file");
        int n = buf.readableBytes();
        received += n;
        if (received > expected) {
            throw new TransferException("'" + current.getPath() + "': more content than the announced " + expected + " bytes");
        }
        for (ByteBuffer b : buf.nioBuffers()) {
            digest.update(b.duplicate());
            if (current.getSparse()) writeInRanges(b);
            else while (b.hasRemaining()) out.write(b);
        }
        bytes += n;
    }

    /**
     * Checks a peer's data ranges before anything is written: each non-empty, in order, not
     * overlapping, inside the size. Returns how many content bytes follow.
     */
    private static long checkRanges(FileEntry e) throws TransferException {
        long end = 0, total = 0;
        for (Extent x : e.getExtentsList()) {
            long off = x.getOffset(), len = x.getLength();
            if (len <= 0 || off < end || off > e.getSize() || len > e.getSize() - off) {
                throw new TransferException("refusing '" + SafePaths.printable(e.getPath()) + "': data range " + off + "+" + len
                        + " is empty, overlaps the one before or lies outside its " + e.getSize() + " bytes");
            }
            end = off + len;
            total += len;
        }
        return total;
    }

    /** Writes content of a sparse file where its ranges say; what lies between stays a hole. */
    private void writeInRanges(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            Extent x = current.getExtents(range);
            int n = (int) Math.min(b.remaining(), x.getLength() - inRange);
            ByteBuffer piece = b.slice(b.position(), n);
            long at = x.getOffset() + inRange;
            while (piece.hasRemaining()) at += out.write(piece, at);
            b.position(b.position() + n);
            inRange += n;
            if (inRange == x.getLength()) {
                range++;
                inRange = 0;
            }
        }
    }

    private void fileEnd(FileEnd end) throws IOException {
        if (current == null) throw new TransferException("FileEnd without a file");
        FileEntry e = current;
        if (received != expected) {
            throw new TransferException("'" + e.getPath() + "': announced " + expected + " bytes, received " + received);
        }
        byte[] got = digest.digest();
        if (!MessageDigest.isEqual(got, end.getSha256().toByteArray())) {
            throw new TransferException("checksum mismatch for '" + e.getPath() + "': sender's SHA-256 "
                    + HexFormat.of().formatHex(end.getSha256().toByteArray()) + ", received content hashes to "
                    + HexFormat.of().formatHex(got) + "; the file was discarded");
        }
        if (e.getSparse() && out.size() < e.getSize()) {
            // a trailing hole: set the length without writing (FileChannel cannot extend a file)
            if (FileCalls.INSTANCE.truncate(tmp.toString(), e.getSize()) != 0) {
                throw new TransferException("cannot set the size of '" + e.getPath() + "': " + FileCalls.describe(FileCalls.errno()));
            }
        }
        if (durable) out.force(false);
        out.close();
        out = null;
        FileMeta.apply(tmp, e);
        BasicFileAttributes existing = SafePaths.attrs(currentDest);
        if (existing != null && existing.isDirectory()) SafePaths.deleteRecursively(currentDest);
        // rename(2) replaces the final name itself, never what a link there points to.
        Files.move(tmp, currentDest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        tmp = null;
        current = null;
    }

    private void treeEnd() throws IOException {
        if (current != null) throw new TransferException("tree ended in the middle of '" + current.getPath() + "'");
        for (int i = dirs.size() - 1; i >= 0; i--) { // deepest first, as the list is in pre-order
            FileEntry d = dirs.get(i);
            Path p = SafePaths.resolve(root, d.getPath(), false);
            FileMeta.applyOwner(p, d);
            FileMeta.applyMode(p, d);
            FileMeta.applyMtime(p, d);
        }
        done = true;
        TreeStats stats = new TreeStats(begin.getTotalEntries(), begin.getTotalBytes(), bytes,
                Duration.ofNanos(System.nanoTime() - started), entries);
        try {
            service.treeReceived(begin.getTreeId(), peerFp, stats);
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "treeReceived callback failed for " + begin.getTreeId(), ex);
        }
        send(Frame.newBuilder().setTreeDone(TreeDone.newBuilder().setEntries(entries).setBytesReceived(bytes)).build());
    }

    private void discardCurrent() {
        try {
            if (out != null) out.close();
            if (tmp != null) Files.deleteIfExists(tmp);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot remove temporary file " + tmp, e);
        }
        out = null;
        tmp = null;
        current = null;
    }
}
