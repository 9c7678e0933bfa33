package io.godwit.transfer;

import io.netty.channel.ChannelPipeline;

/**
 * Implemented by the daemon: adds HTTP handlers (HttpServerCodec, ...) to a connection that
 * negotiated ALPN "http/1.1" (or nothing) and whose client certificate is pinned. The
 * pipeline already holds the SslHandler.
 */
@FunctionalInterface
public interface HttpInitializer {
    void initHttp(ChannelPipeline pipeline, String peerFingerprint);
}
