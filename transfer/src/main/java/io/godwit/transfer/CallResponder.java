package io.godwit.transfer;

import com.google.protobuf.ByteString;
import io.godwit.proto.peer.CallRequest;
import io.godwit.proto.peer.CallResponse;
import io.godwit.proto.peer.Frame;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/** Server side of a call connection: each request runs on its own virtual thread, replies go back by id. */
final class CallResponder extends ChannelInboundHandlerAdapter {
    private final PeerServer server;
    private final String fp;

    CallResponder(PeerServer server, String fp) {
        this.server = server;
        this.fp = fp;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame f) || f.getBodyCase() != Frame.BodyCase.CALL_REQUEST) {
            ReferenceCountUtil.release(msg);
            server.log(System.Logger.Level.WARNING, "closing call connection from " + fp + ": unexpected message");
            ctx.close();
            return;
        }
        if (!server.trust().isTrusted(fp)) {
            // Revoked while this connection was open: it ends here, before the call is read.
            ReferenceCountUtil.release(msg);
            server.refuse(ctx, "certificate revoked", fp);
            return;
        }
        CallRequest req = f.getCallRequest();
        server.blocking().execute(() -> {
            CallResponse.Builder r = CallResponse.newBuilder().setId(req.getId());
            try {
                CallReply reply = server.service().handleCall(req.getMethod(), req.getJson().toByteArray(), fp);
                if (reply == null) reply = CallReply.of(204, new byte[0]);
                r.setStatus(reply.status()).setJson(ByteString.copyFrom(reply.json())).setError(reply.error());
            } catch (Exception | Error e) {
                String m = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
                r.setStatus(500).setError(m);
            }
            ctx.writeAndFlush(Wire.encode(ctx.alloc(), Frame.newBuilder().setCallResponse(r).build()));
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        server.log(System.Logger.Level.WARNING, "call connection from " + fp + " failed: " + cause);
        ctx.close();
    }
}
