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
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * HTTP/1.1 front of the API, the same on the Unix socket and on the TLS port: it turns Netty's
 * request into a {@link Call}, runs it through the request path ({@link RequestPath}) and writes the
 * {@link Answer}. Handlers may block (CRIU, disk), so they run on the daemon's worker pool, never on
 * the event loop.
 */
public final class HttpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = Logger.getLogger(HttpApiHandler.class.getName());

    private final Endpoint api;
    private final ExecutorService workers;
    private final Caller caller;

    private HttpApiHandler(Endpoint api, ExecutorService workers, Caller caller) {
        this.api = api;
        this.workers = workers;
        this.caller = caller;
    }

    /** Adds the HTTP codec, the body limit and the API to a pipeline; {@code caller} is who is connected. */
    public static void install(ChannelPipeline pipeline, Endpoint api, ExecutorService workers, Caller caller) {
        pipeline.addLast(new HttpServerCodec());
        pipeline.addLast(new BodyLimitAggregator(BodyLimit.MAX_BYTES));
        pipeline.addLast(new HttpApiHandler(api, workers, caller));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        Call call = new Call(request.method().name(), request.uri(), headers(request),
                ByteBufUtil.getBytes(request.content()), caller, -1, null);
        submit(ctx, call, HttpUtil.isKeepAlive(request));
    }

    /** A request over the body limit: answered through the middleware, then the connection closes (its body is unread). */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof BodyLimitAggregator.TooLarge tooLarge) {
            HttpRequest head = tooLarge.head();
            submit(ctx, new Call(head.method().name(), head.uri(), headers(head), new byte[0], caller,
                    tooLarge.declaredBytes(), null), false);
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    private static Map<String, String> headers(HttpRequest request) {
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, String> h : request.headers()) {
            out.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue());
        }
        return out;
    }

    private void submit(ChannelHandlerContext ctx, Call call, boolean keepAlive) {
        try {
            workers.execute(() -> serve(ctx, call, keepAlive));
        } catch (RejectedExecutionException e) {
            sendJson(ctx, 503, Map.of(), Map.of("error", "daemon is shutting down", "status", 503), false);
        }
    }

    private void serve(ChannelHandlerContext ctx, Call call, boolean keepAlive) {
        Answer answer;
        try {
            answer = api.serve(call);
        } catch (Exception | Error e) { // a fault of the middleware itself: the chain's error shape did not run
            LOG.log(Level.WARNING, call.method() + " " + call.uri() + " failed", e);
            answer = ErrorReplies.answer(500, describe(e), call.requestId());
        }
        if (answer.body() instanceof UpgradeReply upgrade) {
            if (!asksFor(call, upgrade.protocol())) {
                upgrade.session().abandon();
                sendJson(ctx, 400, answer.headers(), Map.of("error", call.uri() + " needs 'Connection: Upgrade' and"
                        + " 'Upgrade: " + upgrade.protocol() + "' (then the connection becomes the session)",
                        "status", 400), false);
                return;
            }
            upgrade(ctx, answer.headers(), upgrade);
        } else if (answer.body() instanceof StreamReply stream) {
            streamBody(ctx, answer.headers(), stream);
        } else if (answer.body() instanceof TextReply text) {
            send(ctx, answer.status(), answer.headers(), text.contentType(), text.bytes(), keepAlive);
        } else {
            sendJson(ctx, answer.status(), answer.headers(), answer.body(), keepAlive);
        }
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

    private static void sendJson(ChannelHandlerContext ctx, int status, Map<String, String> headers, Object body,
            boolean keepAlive) {
        byte[] bytes;
        try {
            bytes = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        } catch (IOException e) {
            status = 500;
            bytes = ("{\"error\":\"cannot encode reply: " + e.getMessage().replace('"', '\'') + "\",\"status\":500}")
                    .getBytes(StandardCharsets.UTF_8);
        }
        byte[] withNewline = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        withNewline[bytes.length] = '\n';
        send(ctx, status, headers, "application/json", withNewline, keepAlive);
    }

    private static void send(ChannelHandlerContext ctx, int status, Map<String, String> headers, String contentType,
            byte[] bytes, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(bytes));
        headers.forEach(response.headers()::set);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static boolean asksFor(Call call, String protocol) {
        String connection = call.headers().getOrDefault("connection", "");
        return connection.toLowerCase(Locale.ROOT).contains("upgrade")
                && protocol.equalsIgnoreCase(call.headers().getOrDefault(UpgradeReply.HEADER, "").strip());
    }

    /**
     * The HTTP handlers leave the pipeline first (bytes the codec still held go on to the raw streams),
     * then the 101 goes out as plain bytes: the client sends its first frame only after it read the
     * 101, and by then nothing of HTTP is left to take that frame for a request. The session runs on
     * this worker thread until it returns; then the connection closes.
     */
    private void upgrade(ChannelHandlerContext ctx, Map<String, String> headers, UpgradeReply upgrade) {
        StringBuilder head = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("Connection: Upgrade\r\nUpgrade: ").append(upgrade.protocol()).append("\r\n\r\n");
        UpgradedStreams streams = new UpgradedStreams();
        java.util.concurrent.CompletableFuture<Void> switched = new java.util.concurrent.CompletableFuture<>();
        ctx.channel().eventLoop().execute(() -> {
            try {
                ChannelPipeline p = ctx.pipeline();
                p.addLast(streams);
                p.remove(this);
                p.remove(BodyLimitAggregator.class);
                p.remove(HttpServerCodec.class);
                ctx.channel().writeAndFlush(Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII))
                        .addListener(f -> {
                            if (f.isSuccess()) {
                                switched.complete(null);
                            } else {
                                switched.completeExceptionally(f.cause());
                            }
                        });
            } catch (RuntimeException e) {
                switched.completeExceptionally(e);
            }
        });
        try {
            try {
                switched.get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                upgrade.session().abandon();
                throw e;
            }
            upgrade.session().run(streams.in, streams.out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(Level.INFO, "upgraded session ended: " + describe(e), e);
        } finally {
            ctx.channel().close();
        }
    }

    private static void streamBody(ChannelHandlerContext ctx, Map<String, String> headers, StreamReply stream) {
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        headers.forEach(head.headers()::set);
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
