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
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.concurrent.ExecutorService;

/** The local API: HTTP over a Unix socket that only root and the socket's group can use (0660). */
public final class UnixSocketServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;
    private final Path socket;
    /** Whether this server made the socket file (and so removes it), or systemd did (and keeps it). */
    private final boolean ownsSocketFile;

    private UnixSocketServer(EventLoopGroup group, Channel channel, Path socket, boolean ownsSocketFile) {
        this.group = group;
        this.channel = channel;
        this.socket = socket;
        this.ownsSocketFile = ownsSocketFile;
    }

    private static final int FD_CLOEXEC = 1;

    /** The group that may use the socket besides root, when the host has it (the package creates it). */
    static final String SOCKET_GROUP = "godwit";

    public static UnixSocketServer start(Path socket, Endpoint api, ExecutorService workers) throws IOException {
        Files.createDirectories(socket.toAbsolutePath().getParent());
        removeStaleSocket(socket);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel ch = bootstrap(group, api, workers).channel(EpollServerDomainSocketChannel.class)
                    .bind(new DomainSocketAddress(socket.toFile())).sync().channel();
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
            giveToGroup(socket);
            return new UnixSocketServer(group, ch, socket, true);
        } catch (InterruptedException e) {
            group.shutdownGracefully();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + socket, e);
        } catch (RuntimeException | IOException e) {
            group.shutdownGracefully();
            throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
        }
    }

    /**
     * Serves on a socket systemd made and listens on (socket activation): the channel wraps the
     * inherited descriptor as it is, already bound and listening, and leaves the file to systemd.
     */
    public static UnixSocketServer adopt(InheritedSocket inherited, Endpoint api, ExecutorService workers)
            throws IOException {
        // systemd passes it without close-on-exec: no process the daemon starts (monitors, criu, ip)
        // may inherit the API's listening socket
        jnr.posix.POSIX posix = jnr.posix.POSIXFactory.getNativePOSIX();
        if (posix.fcntlInt(inherited.fd(), jnr.constants.platform.Fcntl.F_SETFD, FD_CLOEXEC) < 0) {
            throw new IOException("cannot mark the socket systemd handed over (descriptor " + inherited.fd()
                    + ") close-on-exec: errno " + posix.errno());
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel ch = bootstrap(group, api, workers)
                    .channelFactory(() -> new EpollServerDomainSocketChannel(inherited.fd(), true))
                    .register().sync().channel();
            return new UnixSocketServer(group, ch, inherited.path(), false);
        } catch (InterruptedException e) {
            group.shutdownGracefully();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while taking over " + inherited.path() + " from systemd", e);
        } catch (RuntimeException e) {
            group.shutdownGracefully();
            throw new IOException("cannot serve on the socket systemd handed over (descriptor " + inherited.fd()
                    + ", " + inherited.path() + "): " + e.getMessage(), e);
        }
    }

    private static ServerBootstrap bootstrap(EventLoopGroup group, Endpoint api, ExecutorService workers) {
        return new ServerBootstrap().group(group).childHandler(new ChannelInitializer<DomainSocketChannel>() {
            @Override
            protected void initChannel(DomainSocketChannel c) {
                HttpApiHandler.install(c.pipeline(), api, workers, peer(c));
            }
        });
    }

    /** Members of the godwit group may drive the daemon, as the socket unit's SocketGroup= gives it. */
    private static void giveToGroup(Path socket) throws IOException {
        GroupPrincipal godwit;
        try {
            godwit = socket.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(SOCKET_GROUP);
        } catch (UserPrincipalNotFoundException none) {
            return; // root only
        }
        Files.getFileAttributeView(socket, PosixFileAttributeView.class).setGroup(godwit);
    }

    /** The path clients dial. */
    public Path socket() {
        return socket;
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
        if (!ownsSocketFile) {
            return; // systemd's: it keeps listening for the next start
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // the next start removes a stale socket anyway
        }
    }
}
