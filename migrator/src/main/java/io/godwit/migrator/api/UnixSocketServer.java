package io.godwit.migrator.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;

/** The local API: HTTP over a Unix socket that only root and the socket's group can use (0660). */
public final class UnixSocketServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;
    private final Path socket;

    private UnixSocketServer(EventLoopGroup group, Channel channel, Path socket) {
        this.group = group;
        this.channel = channel;
        this.socket = socket;
    }

    public static UnixSocketServer start(Path socket, Endpoint api, ExecutorService workers) throws IOException {
        Files.createDirectories(socket.toAbsolutePath().getParent());
        removeStaleSocket(socket);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel ch = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                    .childHandler(new ChannelInitializer<DomainSocketChannel>() {
                        @Override
                        protected void initChannel(DomainSocketChannel c) {
                            HttpApiHandler.install(c.pipeline(), api, workers, peer(c));
                        }
                    })
                    .bind(new DomainSocketAddress(socket.toFile())).sync().channel();
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
            return new UnixSocketServer(group, ch, socket);
        } catch (InterruptedException e) {
            group.shutdownGracefully();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + socket, e);
        } catch (RuntimeException | IOException e) {
            group.shutdownGracefully();
            throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
        }
    }

    /** The connecting process as the kernel knows it (SO_PEERCRED), for the access log. */
    private static Caller peer(DomainSocketChannel c) {
        if (c instanceof EpollDomainSocketChannel epoll) {
            try {
                PeerCredentials cred = epoll.peerCredentials();
                return Caller.unix(cred.uid(), cred.pid());
            } catch (IOException e) {
                return Caller.unixUnknown();
            }
        }
        return Caller.unixUnknown();
    }

    /** A socket file nobody answers on is left over from a crashed daemon; a live one means we are not alone. */
    private static void removeStaleSocket(Path socket) throws IOException {
        if (!Files.exists(socket)) {
            return;
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            throw new IOException("another godwitd is already listening on " + socket);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("another godwitd")) {
                throw e;
            }
            Files.deleteIfExists(socket);
        }
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully().awaitUninterruptibly();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // the next start removes a stale socket anyway
        }
    }
}
