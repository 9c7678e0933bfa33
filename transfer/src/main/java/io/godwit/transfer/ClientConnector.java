package io.godwit.transfer;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/** Opens TLS connections to one pinned server: each resolves once the handshake and pin check passed. */
final class ClientConnector {
    static final int CONNECT_TIMEOUT_MS = 10_000;

    private final InetSocketAddress address;
    private final FingerprintTrustManager pin;
    private final SslContext ssl;

    ClientConnector(InetSocketAddress address, NodeIdentity id, String expectedFingerprint, String alpn) throws TransferException {
        this.address = address;
        this.pin = new FingerprintTrustManager(expectedFingerprint);
        this.ssl = TlsContexts.client(id, pin, alpn);
    }

    String expectedFingerprint() {
        return pin.expected();
    }

    InetSocketAddress address() {
        return address;
    }

    /** Connects; init adds the handlers after TLS (and framing, if framed). */
    Future<Channel> open(boolean framed, Consumer<ChannelPipeline> init) {
        Promise<Channel> result = Transports.clientGroup().next().newPromise();
        new Bootstrap().group(Transports.clientGroup()).channel(Transports.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Transports.deadPeerDetection(ch);
                        ch.pipeline().addLast("ssl", ssl.newHandler(ch.alloc(), address.getHostString(), address.getPort()));
                        if (framed) Wire.install(ch.pipeline());
                        init.accept(ch.pipeline());
                    }
                })
                .connect(address).addListener((ChannelFutureListener) cf -> {
                    if (!cf.isSuccess()) {
                        result.tryFailure(new TransferException("cannot connect to peer " + address + ": " + cf.cause().getMessage(), cf.cause()));
                        return;
                    }
                    cf.channel().pipeline().get(SslHandler.class).handshakeFuture().addListener(hf -> {
                        if (hf.isSuccess()) {
                            result.trySuccess(cf.channel());
                        } else {
                            cf.channel().close();
                            result.tryFailure(handshakeFailure(hf.cause()));
                        }
                    });
                });
        return result;
    }

    private TransferException handshakeFailure(Throwable cause) {
        String refused = pin.refusedFingerprint();
        if (refused != null) {
            return new TransferException("refusing peer " + address + ": it presented certificate " + refused
                    + " but " + pin.expected() + " is pinned (a different or reinstalled daemon, or someone in between)", cause);
        }
        return new TransferException("TLS handshake with peer " + address + " failed: " + cause.getMessage(), cause);
    }

    /** Blocking form of open for API methods running on caller threads. */
    Channel openSync(boolean framed, Consumer<ChannelPipeline> init) throws TransferException, InterruptedIOException {
        return await(open(framed, init), CONNECT_TIMEOUT_MS * 2L, "connecting to " + address);
    }

    static <T> T await(Future<T> f, long millis, String what) throws TransferException, InterruptedIOException {
        try {
            return f.get(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while " + what);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TransferException te) throw te;
            throw new TransferException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new TransferException(what + " timed out after " + millis + " ms");
        }
    }
}
