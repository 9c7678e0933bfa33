package io.godwit.transfer;

import io.godwit.proto.peer.Frame;
import io.godwit.proto.peer.TunnelOpen;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;

/**
 * A TCP tunnel through the peer's TLS port: a listener on 127.0.0.1 (ephemeral port) whose
 * every accepted connection becomes its own TLS connection to the peer, which connects it
 * to the target its daemon names for the tunnel id. Bytes flow both ways with
 * backpressure; closing either end closes the stream.
 */
public final class Tunnel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Tunnel.class.getName());
    private final String tunnelId;
    private final ClientConnector connector;
    private final ChannelGroup streams = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Channel listener;

    Tunnel(String tunnelId, ClientConnector connector) throws TransferException {
        this.tunnelId = tunnelId;
        this.connector = connector;
        try {
            listener = new ServerBootstrap().group(Transports.clientGroup()).channel(Transports.serverChannel())
                    .childOption(ChannelOption.AUTO_READ, false) // read nothing until the peer end is ready
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel local) {
                            streams.add(local);
                            startStream(local);
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransferException("interrupted while opening tunnel " + tunnelId);
        }
    }

    private void startStream(Channel local) {
        connector.open(true, p -> p.addLast("tunnel-open", new ReadyWaiter(local))).addListener(f -> {
            if (!f.isSuccess()) {
                LOG.log(System.Logger.Level.WARNING, "tunnel " + tunnelId + ": " + f.cause().getMessage());
                local.close();
                return;
            }
            Channel tls = (Channel) f.getNow();
            streams.add(tls);
            local.closeFuture().addListener(x -> tls.close());
            tls.writeAndFlush(Wire.encode(tls.alloc(), Frame.newBuilder().setTunnelOpen(TunnelOpen.newBuilder().setTunnelId(tunnelId)).build()));
        });
    }

    /** Waits on the TLS side for TunnelReady, then turns both channels into a raw relay. */
    private final class ReadyWaiter extends ChannelInboundHandlerAdapter {
        private final Channel local;

        ReadyWaiter(Channel local) {
            this.local = local;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Frame f && f.getBodyCase() == Frame.BodyCase.TUNNEL_READY) {
                ctx.pipeline().addLast("relay", new TunnelRelay(local));
                ctx.pipeline().remove(this);
                Wire.uninstall(ctx.pipeline());
                local.pipeline().addLast("relay", new TunnelRelay(ctx.channel()));
                local.config().setAutoRead(true);
                return;
            }
            String why = msg instanceof Frame f && f.hasFailure() ? f.getFailure().getMessage() : "unexpected message";
            ReferenceCountUtil.release(msg);
            LOG.log(System.Logger.Level.WARNING, "tunnel " + tunnelId + " refused by peer: " + why);
            ctx.close();
            local.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            local.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            ctx.fireChannelInactive();
        }
    }

    public String tunnelId() {
        return tunnelId;
    }

    /** Where local programs connect (e.g. criu lazy-pages --page-server --address/--port). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        streams.close().syncUninterruptibly();
    }
}
