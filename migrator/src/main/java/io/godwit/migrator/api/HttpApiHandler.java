package io.godwit.migrator.api;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * HTTP/1.1 front of the API, the same on the Unix socket and on the TLS port. Handlers may block
 * (CRIU, disk), so they run on the daemon's worker pool, never on the event loop.
 */
public final class HttpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = Logger.getLogger(HttpApiHandler.class.getName());
    private static final int MAX_BODY = 4 * 1024 * 1024;

    private final Router router;
    private final ExecutorService workers;
    private final String client;

    private HttpApiHandler(Router router, ExecutorService workers, String client) {
        this.router = router;
        this.workers = workers;
        this.client = client;
    }

    /** Adds the HTTP codec and the API to a pipeline; {@code client} names who is calling (for logs). */
    public static void install(ChannelPipeline pipeline, Router router, ExecutorService workers, String client) {
        pipeline.addLast(new HttpServerCodec());
        pipeline.addLast(new HttpObjectAggregator(MAX_BODY));
        pipeline.addLast(new HttpApiHandler(router, workers, client));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String method = request.method().name();
        String uri = request.uri();
        byte[] body = ByteBufUtil.getBytes(request.content());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        try {
            workers.execute(() -> serve(ctx, method, uri, body, keepAlive));
        } catch (RejectedExecutionException e) {
            sendJson(ctx, 503, Map.of("error", "daemon is shutting down", "status", 503), false);
        }
    }

    private void serve(ChannelHandlerContext ctx, String method, String uri, byte[] body, boolean keepAlive) {
        Object result;
        try {
            result = router.dispatch(method, uri, body, client);
        } catch (ApiException e) {
            sendJson(ctx, e.status(), error(e.status(), e.getMessage()), keepAlive);
            return;
        } catch (io.godwit.runtime.NoSuchContainerException e) {
            sendJson(ctx, 404, error(404, e.getMessage()), keepAlive);
            return;
        } catch (IllegalArgumentException e) {
            sendJson(ctx, 400, error(400, e.getMessage()), keepAlive);
            return;
        } catch (IllegalStateException e) {
            sendJson(ctx, 409, error(409, e.getMessage()), keepAlive);
            return;
        } catch (Exception | Error e) {
            LOG.log(Level.WARNING, method + " " + uri + " failed", e);
            sendJson(ctx, 500, error(500, describe(e)), keepAlive);
            return;
        }
        if (result instanceof StreamReply stream) {
            streamBody(ctx, stream);
        } else if (result instanceof Reply reply) {
            sendJson(ctx, reply.status(), reply.body(), keepAlive);
        } else {
            sendJson(ctx, 200, result, keepAlive);
        }
    }

    static Map<String, Object> error(int status, String message) {
        return Map.of("error", message == null ? "unknown error" : message, "status", status);
    }

    /** The message of a failure with its causes, so that the client sees why, not just what. */
    public static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage() != null ? e.getMessage() : e.toString()));
        for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && !sb.toString().contains(m)) {
                sb.append(": ").append(m);
            }
        }
        return sb.toString();
    }

    private static void sendJson(ChannelHandlerContext ctx, int status, Object body, boolean keepAlive) {
        byte[] bytes;
        try {
            bytes = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        } catch (IOException e) {
            status = 500;
            bytes = ("{\"error\":\"cannot encode reply: " + e.getMessage().replace('"', '\'') + "\",\"status\":500}")
                    .getBytes(StandardCharsets.UTF_8);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(bytes, "\n".getBytes(StandardCharsets.UTF_8)));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void streamBody(ChannelHandlerContext ctx, StreamReply stream) {
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, stream.contentType());
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(head);
        try (OutputStream out = new ChunkStream(ctx)) {
            stream.writer().writeTo(out);
        } catch (IOException e) {
            LOG.fine("stream ended: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Each flush is one HTTP chunk; a write to a closed connection fails, which ends the stream. */
    private static final class ChunkStream extends OutputStream {
        private final ChannelHandlerContext ctx;

        ChunkStream(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (!ctx.channel().isActive()) {
                throw new IOException("client went away");
            }
            var future = ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(b, off, len)));
            // Waiting here is the backpressure: a slow reader slows the writer down, not the heap.
            future.awaitUninterruptibly();
            if (!future.isSuccess()) {
                throw new IOException("client went away", future.cause());
            }
        }

        @Override
        public void close() {
        }
    }
}
