package io.godwit.transfer;

import io.netty.channel.EventLoopGroup;
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
