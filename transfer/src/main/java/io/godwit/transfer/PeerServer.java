package io.godwit.transfer;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;

import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The daemon's one TLS port: mutual TLS 1.3, ALPN "godwit-peer/1" for the peer protocol,
 * "http/1.1" for the daemon's REST API. Only pinned client certificates get further than
 * the handshake, except for one pairing request carrying a valid trust token.
 */
public final class PeerServer implements AutoCloseable {
    static final String VERSION = "godwit-transfer/0.1";
    private static final System.Logger LOG = System.getLogger(PeerServer.class.getName());

    private final NodeIdentity identity;
    private final TrustStore trust;
    private final PeerService service;
    private final HttpInitializer http;
    private final EventLoopGroup boss, workers;
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong refused = new AtomicLong();
    private Channel listener;

    private PeerServer(NodeIdentity identity, TrustStore trust, PeerService service, HttpInitializer http) {
        this.identity = identity;
        this.trust = trust;
        this.service = service;
        this.http = http;
        this.boss = Transports.newGroup(1, "godwit-peer-accept");
        this.workers = Transports.newGroup(Math.max(2, Runtime.getRuntime().availableProcessors()), "godwit-peer-io");
    }

    /** Binds and starts serving; http may be null (then only the peer protocol is served). */
    public static PeerServer start(InetSocketAddress bind, NodeIdentity id, TrustStore trust, PeerService service,
                                   HttpInitializer http) throws TransferException {
        PeerServer s = new PeerServer(id, trust, service, http);
        SslContext ssl = TlsContexts.server(id);
        try {
            s.listener = new ServerBootstrap().group(s.boss, s.workers).channel(Transports.serverChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            Transports.deadPeerDetection(ch);
                            ch.pipeline().addLast("ssl", ssl.newHandler(ch.alloc()));
                            ch.pipeline().addLast("gate", new ServerHandshakeGate(s));
                        }
                    })
                    .bind(bind).sync().channel();
        } catch (Exception e) {
            s.close();
            throw new TransferException("cannot listen on " + bind, e);
        }
        LOG.log(System.Logger.Level.INFO, "peer server {0} listening on {1} (TLS provider {2}, {3})", id.fingerprint(),
                s.listener.localAddress(), TlsContexts.provider(), Transports.epoll() ? "epoll" : "nio");
        return s;
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Connections refused since start (untrusted certificates, bad first messages). */
    public long refusedConnections() {
        return refused.get();
    }

    @Override
    public void close() {
        if (listener != null) listener.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        blocking.shutdownNow();
    }

    NodeIdentity identity() { return identity; }
    TrustStore trust() { return trust; }
    PeerService service() { return service; }
    HttpInitializer http() { return http; }
    ExecutorService blocking() { return blocking; }

    void log(System.Logger.Level level, String msg) {
        LOG.log(level, msg);
    }

    /** Logs the refusal and closes the connection; fp may be null when no certificate was seen. */
    void refuse(ChannelHandlerContext ctx, String why, String fp) {
        refused.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "refused connection from " + ctx.channel().remoteAddress()
                + (fp == null ? "" : " (certificate " + fp + ")") + ": " + why);
        ctx.close();
    }
}
