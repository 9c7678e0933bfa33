package io.godwit.transfer;

import io.godwit.proto.peer.Frame;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.io.InterruptedIOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Client side of a request/response conversation run from a caller thread (pairing, tree
 * sending): inbound frames are queued, the connection's end and errors become a clear
 * exception, and writers can wait for the channel to become writable.
 */
final class FrameQueue extends ChannelInboundHandlerAdapter {
    private static final Object CLOSED = new Object();
    private final LinkedBlockingQueue<Object> frames = new LinkedBlockingQueue<>();
    private final Object writability = new Object();
    private volatile Throwable error;
    private final String peer;

    FrameQueue(String peer) {
        this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame) frames.add(msg);
        else ReferenceCountUtil.release(msg); // a server never sends file content to a client
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        frames.add(CLOSED);
        synchronized (writability) { writability.notifyAll(); }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (error == null) error = cause;
        ctx.close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        synchronized (writability) { writability.notifyAll(); }
        ctx.fireChannelWritabilityChanged();
    }

    /** The next frame; a Failure frame from the peer becomes an exception carrying its message. */
    Frame take(long timeoutMs, String waitingFor) throws TransferException, InterruptedIOException {
        Object o;
        try {
            o = frames.poll(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + waitingFor);
        }
        if (o == null) throw new TransferException("peer " + peer + " sent no " + waitingFor + " within " + timeoutMs + " ms");
        return check(o, waitingFor);
    }

    /** A frame if one is waiting (used between chunks to notice a receiver's failure early). */
    Frame poll(String during) throws TransferException {
        Object o = frames.poll();
        return o == null ? null : check(o, during);
    }

    private Frame check(Object o, String what) throws TransferException {
        if (o == CLOSED) {
            frames.add(CLOSED); // keep reporting it
            throw closed(what);
        }
        Frame f = (Frame) o;
        if (f.getBodyCase() == Frame.BodyCase.FAILURE) throw new TransferException("peer " + peer + " failed: " + f.getFailure().getMessage());
        return f;
    }

    TransferException closed(String what) {
        // A receiver that fails says why in a last frame before it closes: that is the cause to report.
        for (Object o : frames) {
            if (o instanceof Frame f && f.getBodyCase() == Frame.BodyCase.FAILURE) {
                return new TransferException("peer " + peer + " failed while " + what + ": " + f.getFailure().getMessage());
            }
        }
        String m = "peer " + peer + " closed the connection while " + what;
        return error == null ? new TransferException(m) : new TransferException(m + ": " + error.getMessage(), error);
    }

    void awaitWritable(io.netty.channel.Channel ch, String during) throws TransferException, InterruptedIOException {
        synchronized (writability) {
            while (!ch.isWritable()) {
                if (!ch.isActive()) throw closed(during);
                try {
                    writability.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while " + during);
                }
            }
        }
    }
}
