package io.godwit.transfer;

import io.godwit.proto.peer.Frame;
import io.godwit.proto.peer.Hello;
import io.godwit.proto.peer.PairReply;
import io.godwit.proto.peer.PairRequest;
import io.godwit.proto.peer.TunnelOpen;
import io.godwit.proto.peer.TunnelReady;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The first frame of a peer-protocol connection decides what the connection is. A client
 * whose certificate is not pinned may only send PairRequest; anything else is refused
 * without reaching the daemon's service.
 */
final class ServerPeerHandler extends ChannelInboundHandlerAdapter {
    private static final int MAX_NAME = 64;
    private final PeerServer server;
    private final String fp;
    private final TrustedPeer trusted; // null: not pinned here
    private boolean decided;

    ServerPeerHandler(PeerServer server, String fp, TrustedPeer trusted) {
        this.server = server;
        this.fp = fp;
        this.trusted = trusted;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (trusted == null) {
            // An unknown client gets a short window to present its token, no more.
            ctx.executor().schedule(() -> {
                if (!decided) server.refuse(ctx, "untrusted certificate sent nothing within 15 s", fp);
            }, 15, TimeUnit.SECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (decided) { // frames that raced the close of a refused/paired connection
            ReferenceCountUtil.release(msg);
            return;
        }
        decided = true;
        if (!(msg instanceof Frame f)) {
            ReferenceCountUtil.release(msg);
            fail(ctx, "expected a frame, got file content");
            return;
        }
        if (f.getBodyCase() == Frame.BodyCase.PAIR_REQUEST) {
            pair(ctx, f.getPairRequest());
            return;
        }
        if (trusted == null) {
            server.refuse(ctx, "untrusted certificate attempted " + f.getBodyCase(), fp);
            return;
        }
        if (!trusted.mayUsePeerProtocol()) {
            server.refuse(ctx, "'" + trusted.name() + "', trusted as a " + trusted.role() + " (the API only), attempted "
                    + f.getBodyCase(), fp);
            return;
        }
        switch (f.getBodyCase()) {
            case HELLO -> {
                ctx.pipeline().replace(this, "calls", new CallResponder(server, fp));
                ctx.writeAndFlush(Wire.encode(ctx.alloc(), Frame.newBuilder().setHello(Hello.newBuilder()
                        .setDaemonVersion(PeerServer.VERSION).setNodeName(server.identity().name())).build()));
            }
            case TREE_BEGIN -> ctx.pipeline().replace(this, "tree", new TreeReceiver(server.service(), fp, f.getTreeBegin()));
            case TUNNEL_OPEN -> tunnel(ctx, f.getTunnelOpen());
            default -> fail(ctx, "unexpected first frame " + f.getBodyCase());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        server.log(System.Logger.Level.WARNING, "connection from " + fp + " failed: " + cause);
        ctx.close();
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        server.log(System.Logger.Level.WARNING, "closing connection from " + fp + ": " + why);
        ctx.writeAndFlush(Wire.encode(ctx.alloc(), Wire.failure(why))).addListener(ChannelFutureListener.CLOSE);
    }

    private void pair(ChannelHandlerContext ctx, PairRequest req) {
        // Redeeming writes the trust store (fsync): not on the event loop.
        server.blocking().execute(() -> {
            PairReply.Builder reply = PairReply.newBuilder();
            try {
                Optional<TokenGrant> grant = server.trust().redeem(req.getSecret().toByteArray());
                if (grant.isEmpty()) {
                    server.log(System.Logger.Level.WARNING, "pairing refused for " + fp + " from "
                            + ctx.channel().remoteAddress() + ": token unknown, expired or already used");
                    reply.setOk(false).setError("token unknown, expired or already used");
                } else {
                    String name = req.getNodeName().isBlank() ? fp.substring(0, 12) : req.getNodeName().strip();
                    if (name.length() > MAX_NAME) name = name.substring(0, MAX_NAME);
                    server.trust().add(new TrustedPeer(name, fp, Instant.now(), grant.get().role()));
                    server.log(System.Logger.Level.INFO, "paired with '" + name + "' (" + fp + ") as " + grant.get().role());
                    reply.setOk(true).setNodeName(server.identity().name()).setFingerprint(server.identity().fingerprint())
                            .setRole(grant.get().role());
                }
            } catch (Exception e) {
                server.log(System.Logger.Level.WARNING, "pairing with " + fp + " failed: " + e);
                reply.setOk(false).setError("pairing failed on the server: " + e.getMessage());
            }
            ctx.writeAndFlush(Wire.encode(ctx.alloc(), Frame.newBuilder().setPairReply(reply).build()))
                    .addListener(ChannelFutureListener.CLOSE);
        });
    }

    private void tunnel(ChannelHandlerContext ctx, TunnelOpen open) {
        Channel tls = ctx.channel();
        tls.config().setAutoRead(false); // nothing may be read until the target is connected
        server.blocking().execute(() -> {
            TunnelTarget target;
            try {
                target = server.service().openTunnel(open.getTunnelId(), fp);
                if (target == null) throw new TransferException("no target for tunnel " + open.getTunnelId());
            } catch (Exception e) {
                fail(ctx, "tunnel " + open.getTunnelId() + " refused: " + e.getMessage());
                return;
            }
            new Bootstrap().group(tls.eventLoop()).channel(Transports.socketChannel())
                    .option(ChannelOption.AUTO_READ, false).option(ChannelOption.TCP_NODELAY, true)
                    .handler(new TunnelRelay(tls))
                    .connect(target.host(), target.port()).addListener((ChannelFutureListener) cf -> {
                        if (!cf.isSuccess()) {
                            fail(ctx, "tunnel " + open.getTunnelId() + ": cannot connect to " + target + ": " + cf.cause());
                            return;
                        }
                        Channel local = cf.channel();
                        tls.closeFuture().addListener(x -> local.close());
                        ctx.writeAndFlush(Wire.encode(ctx.alloc(), Frame.newBuilder().setTunnelReady(TunnelReady.getDefaultInstance()).build()));
                        // Relay first, then drop framing: bytes already buffered by the decoder flow into the relay.
                        ctx.pipeline().addLast("relay", new TunnelRelay(local));
                        ctx.pipeline().remove(this);
                        Wire.uninstall(tls.pipeline());
                        local.config().setAutoRead(true);
                        tls.config().setAutoRead(true);
                    });
        });
    }

}
