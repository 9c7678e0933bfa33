package io.godwit.transfer;

import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Native epoll when it loads (it does on these Linux hosts), NIO otherwise. */
final class Transports {
    private static volatile EventLoopGroup clientGroup;

    private Transports() {}

    static boolean epoll() {
        return Epoll.isAvailable();
    }

    static EventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory f = epoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), f);
    }

    static Class<? extends ServerChannel> serverChannel() {
        return epoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    static Class<? extends SocketChannel> socketChannel() {
        return epoll() ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * A peer that vanishes (host down, cable cut) must fail the transfer, not hang it: with epoll,
     * unacknowledged data older than TCP_USER_TIMEOUT kills the connection, and keepalive probes
     * find a silent one (a call waiting for a long restore) within about KEEPIDLE + 3 * KEEPINTVL.
     */
    static void deadPeerDetection(SocketChannel ch) {
        ch.config().setOption(ChannelOption.SO_KEEPALIVE, true);
        if (ch instanceof EpollSocketChannel) {
            ch.config().setOption(EpollChannelOption.TCP_USER_TIMEOUT, USER_TIMEOUT_MS);
            ch.config().setOption(EpollChannelOption.TCP_KEEPIDLE, KEEPIDLE_S);
            ch.config().setOption(EpollChannelOption.TCP_KEEPINTVL, 2);
            ch.config().setOption(EpollChannelOption.TCP_KEEPCNT, 3);
        }
    }

    static final int USER_TIMEOUT_MS = Integer.getInteger("godwit.transfer.userTimeoutMs", 15_000);
    static final int KEEPIDLE_S = Integer.getInteger("godwit.transfer.keepIdleSeconds", 5);

    /** One event loop group shared by every outgoing session of this JVM (daemon threads). */
    static EventLoopGroup clientGroup() {
        EventLoopGroup g = clientGroup;
        if (g == null) {
            synchronized (Transports.class) {
                if (clientGroup == null) clientGroup = newGroup(Math.max(2, Runtime.getRuntime().availableProcessors()), "godwit-peer-client");
                g = clientGroup;
            }
        }
        return g;
    }
}
