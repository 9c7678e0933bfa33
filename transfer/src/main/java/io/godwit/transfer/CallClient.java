package io.godwit.transfer;

import com.google.protobuf.ByteString;
import io.godwit.proto.peer.CallRequest;
import io.godwit.proto.peer.CallResponse;
import io.godwit.proto.peer.Frame;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/** Client end of the call connection: many calls in flight from many threads, matched by id. */
final class CallClient extends ChannelInboundHandlerAdapter {
    private final Map<Long, CompletableFuture<CallResponse>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<Frame> hello = new CompletableFuture<>();
    private final AtomicLong ids = new AtomicLong();
    private final String peer;
    private volatile Channel channel;
    private volatile String closedReason;

    CallClient(String peer) {
        this.peer = peer;
    }

    CompletableFuture<Frame> hello() {
        return hello;
    }

    void attach(Channel ch) {
        this.channel = ch;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame f)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        switch (f.getBodyCase()) {
            case HELLO -> hello.complete(f);
            case CALL_RESPONSE -> {
                CompletableFuture<CallResponse> c = pending.remove(f.getCallResponse().getId());
                if (c != null) c.complete(f.getCallResponse());
            }
            case FAILURE -> closedReason = f.getFailure().getMessage();
            default -> { }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        closedReason = cause.toString();
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        String why = "peer " + peer + " closed the call connection" + (closedReason == null ? "" : ": " + closedReason);
        hello.completeExceptionally(new TransferException(why));
        pending.values().forEach(c -> c.completeExceptionally(new TransferException(why)));
        pending.clear();
        ctx.fireChannelInactive();
    }

    CallReply call(String method, byte[] json, Duration timeout) throws TransferException, InterruptedIOException {
        Channel ch = channel;
        if (ch == null || !ch.isActive()) throw new TransferException("call connection to " + peer + " is closed");
        long id = ids.incrementAndGet();
        CompletableFuture<CallResponse> f = new CompletableFuture<>();
        pending.put(id, f);
        ch.writeAndFlush(Wire.encode(ch.alloc(), Frame.newBuilder().setCallRequest(CallRequest.newBuilder()
                .setId(id).setMethod(method).setJson(ByteString.copyFrom(json == null ? new byte[0] : json))).build()))
                .addListener(w -> {
                    if (!w.isSuccess()) f.completeExceptionally(new TransferException("cannot send call " + method + " to " + peer, w.cause()));
                });
        if (!ch.isActive()) f.completeExceptionally(new TransferException("call connection to " + peer + " is closed"));
        try {
            CallResponse r = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new CallReply(r.getStatus(), r.getJson().toByteArray(), r.getError());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + method);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TransferException te) throw new TransferException("call " + method + ": " + te.getMessage(), te);
            throw new TransferException("call " + method + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw new TransferException("call " + method + " to " + peer + " got no reply within " + timeout);
        } finally {
            pending.remove(id);
        }
    }
}
