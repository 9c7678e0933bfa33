package io.godwit.transfer;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * One direction of a tunnel: what this channel reads is written to the other. When the
 * other cannot take more, this side stops reading; the other side's relay resumes it once
 * it drained (so a slow lazy-pages consumer slows the page server, not the heap).
 */
final class TunnelRelay extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(TunnelRelay.class.getName());
    private final Channel other;

    TunnelRelay(Channel other) {
        this.other = other;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        other.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                ctx.close();
                other.close();
            }
        });
        if (!other.isWritable()) ctx.channel().config().setAutoRead(false);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) other.config().setAutoRead(true);
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Deliver what is queued, then close: the tunnel ends when either end does.
        if (other.isActive()) other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "tunnel stream error on " + ctx.channel(), cause);
        ctx.close();
    }
}
