package io.godwit.criu;

import io.godwit.criu.internal.LibC;
import com.google.protobuf.InvalidProtocolBufferException;
import io.godwit.proto.criu.Rpc;
import jnr.posix.CmsgHdr;
import jnr.posix.MsgHdr;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One end of the {@code AF_UNIX, SOCK_SEQPACKET} socketpair that CRIU's swrk mode speaks on
 * (CRIU's end is its fd 3). SEQPACKET keeps message boundaries, so one protobuf message is
 * one packet: no length framing.
 *
 * <p>{@link #pair()} makes both ends close-on-exec. {@link #peerFd()} is the end for criu;
 * it stays open in the JVM until {@link #closePeer()} (the client closes it right after
 * spawning criu; for {@code restoreOver} the caller closes it once the other process has its
 * own copy). Closing the peer matters: while the JVM holds it, criu's death is not seen as
 * end-of-file.
 */
public final class CriuSocket implements AutoCloseable {
    /** CRIU's largest reply (a criu_resp with every field) is far below this; SEQPACKET truncates silently otherwise, which we detect. */
    static final int MAX_MESSAGE = 1 << 20;
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;

    private final int fd;
    private volatile int peerFd;
    private volatile boolean closed;
    private boolean fdClosed;

    private CriuSocket(int fd, int peerFd) {
        this.fd = fd;
        this.peerFd = peerFd;
    }

    /** Creates the socketpair {@code AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC}. */
    public static CriuSocket pair() throws IOException {
        int[] sv = new int[2];
        if (LibC.INSTANCE.socketpair(LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.SOCK_CLOEXEC, 0, sv) != 0) {
            throw new IOException("socketpair(AF_UNIX, SOCK_SEQPACKET): " + LibC.describe(LibC.errno()));
        }
        return new CriuSocket(sv[0], sv[1]);
    }

    /** Our end (the JVM's). */
    int fd() {
        return fd;
    }

    /** The end to give to criu as its fd 3, or -1 once closed. */
    public int peerFd() {
        return peerFd;
    }

    /** Closes the JVM's copy of the peer end; idempotent. */
    public synchronized void closePeer() {
        if (peerFd >= 0) {
            LibC.INSTANCE.close(peerFd);
            peerFd = -1;
        }
    }

    /**
     * Passes the peer end to another process over a connected Unix socket with SCM_RIGHTS
     * (one byte of payload, as a message must carry at least one), e.g. to Godwit's native
     * monitor, which then dups it to fd 3 of the criu swrk it starts.
     */
    public void sendPeerOver(int unixSocketFd) throws IOException {
        int p = peerFd;
        if (p < 0) throw new IllegalStateException("peer end already closed");
        sendFd(unixSocketFd, p);
    }

    /** Sends {@code fdToSend} over {@code viaSocket} with SCM_RIGHTS. */
    static void sendFd(int viaSocket, int fdToSend) throws IOException {
        MsgHdr msg = POSIX.allocateMsgHdr();
        ByteBuffer one = ByteBuffer.allocateDirect(1).put((byte) 0).flip();
        msg.setIov(new ByteBuffer[]{one});
        CmsgHdr c = msg.allocateControl(Integer.BYTES);
        c.setLevel(SOL_SOCKET);
        c.setType(SCM_RIGHTS);
        c.setData(ByteBuffer.allocateDirect(Integer.BYTES).order(ByteOrder.nativeOrder()).putInt(0, fdToSend));
        if (POSIX.sendmsg(viaSocket, msg, 0) < 0) {
            throw new IOException("sendmsg(SCM_RIGHTS fd " + fdToSend + "): errno " + POSIX.errno());
        }
    }

    /** Sends one request as one packet. */
    void send(Rpc.criu_req req) throws IOException {
        byte[] bytes = req.toByteArray();
        long n = LibC.INSTANCE.send(fd, bytes, bytes.length, 0);
        if (n < 0) throw new IOException("send to criu: " + LibC.describe(LibC.errno()));
        if (n != bytes.length) throw new IOException("short send to criu: " + n + " of " + bytes.length);
    }

    /** A message from criu and the fd that came with it (CRIU passes one with orphan-pts-master), or -1. */
    record Received(Rpc.criu_resp resp, int fd) {}

    /**
     * Receives one message; null at end-of-file (criu exited or closed the socket).
     * recvmsg with room for one SCM_RIGHTS fd, since CRIU attaches one to some notifications.
     */
    Received receive() throws IOException {
        MsgHdr msg = POSIX.allocateMsgHdr();
        ByteBuffer buf = ByteBuffer.allocateDirect(MAX_MESSAGE);
        msg.setIov(new ByteBuffer[]{buf});
        msg.allocateControl(Integer.BYTES);
        int n;
        do {
            n = POSIX.recvmsg(fd, msg, 0);
        } while (n < 0 && POSIX.errno() == 4 /* EINTR */);
        if (n < 0) {
            if (closed) return null;
            throw new IOException("recvmsg from criu: errno " + POSIX.errno());
        }
        if (n == 0) return null;
        if ((msg.getFlags() & LibC.MSG_TRUNC) != 0) {
            throw new IOException("message from criu larger than " + MAX_MESSAGE + " bytes was truncated");
        }
        int passed = -1;
        CmsgHdr[] controls = msg.getControls();
        if (controls != null) {
            for (CmsgHdr c : controls) {
                if (c.getLevel() == SOL_SOCKET && c.getType() == SCM_RIGHTS) {
                    ByteBuffer d = c.getData();
                    if (d != null && d.remaining() >= Integer.BYTES) passed = d.order(ByteOrder.nativeOrder()).getInt(0);
                }
            }
        }
        byte[] bytes = new byte[n];
        buf.get(0, bytes);
        try {
            return new Received(Rpc.criu_resp.parseFrom(bytes), passed);
        } catch (InvalidProtocolBufferException e) {
            if (passed >= 0) LibC.INSTANCE.close(passed);
            throw new IOException("undecodable message from criu (" + n + " bytes)", e);
        }
    }

    /** Wakes a thread blocked in {@link #receive()} without closing the fd under it. */
    void shutdown() {
        closed = true;
        LibC.INSTANCE.shutdown(fd, LibC.SHUT_RDWR);
    }

    @Override
    public synchronized void close() {
        closePeer();
        closed = true;
        if (!fdClosed) {
            fdClosed = true;
            LibC.INSTANCE.close(fd);
        }
    }
}
