package io.godwit.migrator.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The raw connection after a 101, as blocking streams for a session on a worker thread: bytes the
 * client sends queue here (reading from the socket pauses while more than LIMIT wait, so a client
 * that types faster than the command reads cannot fill the heap); writes go out as they are, each
 * waiting until it was written (a slow client slows the writer, not the heap).
 */
final class UpgradedStreams extends ChannelInboundHandlerAdapter {
    private static final int LIMIT = 1 << 20;

    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    private int queued;
    private boolean closed;
    private ChannelHandlerContext ctx;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        synchronized (this) {
            queue.add(buf);
            queued += buf.readableBytes();
            if (queued > LIMIT) {
                ctx.channel().config().setAutoRead(false);
            }
            notifyAll();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    final InputStream in = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            synchronized (UpgradedStreams.this) {
                while (queue.isEmpty() && !closed) {
                    try {
                        UpgradedStreams.this.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("upgraded connection: interrupted");
                    }
                }
                if (queue.isEmpty()) return -1;
                ByteBuf head = queue.peek();
                int n = Math.min(len, head.readableBytes());
                head.readBytes(b, off, n);
                queued -= n;
                if (!head.isReadable()) {
                    queue.poll().release();
                }
                if (queued <= LIMIT / 2 && !ctx.channel().config().isAutoRead()) {
                    ctx.channel().config().setAutoRead(true);
                }
                return n;
            }
        }

        @Override
        public void close() {
            synchronized (UpgradedStreams.this) {
                queue.forEach(ByteBuf::release);
                queue.clear();
                closed = true;
            }
        }
    };

    final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (!ctx.channel().isActive()) {
                throw new IOException("client went away");
            }
            var written = ctx.writeAndFlush(Unpooled.copiedBuffer(b, off, len));
            try {
                if (!written.await(60, TimeUnit.SECONDS) || !written.isSuccess()) {
                    throw new IOException("client does not read (or went away)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("upgraded connection: interrupted");
            }
        }
    };
}
