package io.godwit.transfer;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Sits right after the SslHandler. Nothing passes it before the handshake completed and
 * the client's fingerprint was looked up; then it installs the peer protocol or hands the
 * pipeline to the daemon's HTTP initializer, and removes itself.
 */
final class ServerHandshakeGate extends ChannelInboundHandlerAdapter {
    private final PeerServer server;
    private final List<Object> early = new ArrayList<>();

    ServerHandshakeGate(PeerServer server) {
        this.server = server;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        early.add(msg); // decrypted bytes that raced the handshake event; replayed once configured
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (!(evt instanceof SslHandshakeCompletionEvent e)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (!e.isSuccess()) {
            server.log(System.Logger.Level.INFO, "TLS handshake with " + ctx.channel().remoteAddress() + " failed: " + e.cause());
            ctx.close();
            return;
        }
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        String fp;
        try {
            fp = Fingerprints.of((X509Certificate) ssl.engine().getSession().getPeerCertificates()[0]);
        } catch (SSLPeerUnverifiedException ex) {
            server.refuse(ctx, "no client certificate", null);
            return;
        }
        java.util.Optional<TrustedPeer> trusted = server.trust().get(fp);
        String alpn = ssl.applicationProtocol();
        ChannelPipeline p = ctx.pipeline();
        if (TlsContexts.ALPN_PEER.equals(alpn)) {
            Wire.install(p);
            p.addLast("peer", new ServerPeerHandler(server, fp, trusted.orElse(null)));
        } else {
            if (trusted.isEmpty()) {
                server.refuse(ctx, "HTTP from an untrusted certificate", fp);
                return;
            }
            if (!trusted.get().mayUseApi()) {
                server.refuse(ctx, "HTTP from '" + trusted.get().name() + "', trusted as a " + trusted.get().role()
                        + " (moves only, not the API)", fp);
                return;
            }
            if (server.http() == null) {
                server.refuse(ctx, "HTTP is not served on this port", fp);
                return;
            }
            server.http().initHttp(p, fp);
        }
        ctx.fireUserEventTriggered(evt);
        List<Object> replay = new ArrayList<>(early);
        early.clear();
        for (Object m : replay) ctx.fireChannelRead(m); // to the handlers after this one, not through TLS again
        p.remove(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Handshake failures arrive here too; they were logged with the completion event.
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        early.forEach(ReferenceCountUtil::release);
        early.clear();
        ctx.fireChannelInactive();
    }
}
