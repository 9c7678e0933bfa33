package io.godwit.transfer;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Locale;

/**
 * TLS 1.3 contexts for both ends. The OpenSSL (BoringSSL, netty-tcnative) provider is
 * preferred: measured about twice as fast as the JDK's SSLEngine for AES-128-GCM on these
 * machines (see transfer/README.md). {@code -Dgodwit.tls.provider=jdk|openssl} overrides.
 */
public final class TlsContexts {
    public static final String ALPN_PEER = "godwit-peer/1";
    public static final String ALPN_HTTP = "http/1.1";
    static final String[] PROTOCOLS = {"TLSv1.3"};

    private TlsContexts() {}

    /** The provider in use: OPENSSL when netty-tcnative loads and supports ALPN, else JDK. */
    public static SslProvider provider() {
        String forced = System.getProperty("godwit.tls.provider", "").toLowerCase(Locale.ROOT);
        if (forced.equals("jdk")) return SslProvider.JDK;
        if (forced.equals("openssl")) return SslProvider.OPENSSL;
        return OpenSsl.isAvailable() && SslProvider.isAlpnSupported(SslProvider.OPENSSL) ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    static SslContext server(NodeIdentity id) throws TransferException {
        try {
            return SslContextBuilder.forServer(id.key(), id.certificate())
                    .sslProvider(provider())
                    .protocols(PROTOCOLS)
                    .clientAuth(ClientAuth.REQUIRE)
                    .trustManager(new PresentedCertTrustManager())
                    .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
                            // A client offering nothing we speak still completes the handshake and is
                            // treated as HTTP (curl-like tools), which only trusted clients may use.
                            SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT,
                            ALPN_PEER, ALPN_HTTP))
                    .build();
        } catch (SSLException e) {
            throw new TransferException("cannot build the server TLS context with provider " + provider(), e);
        }
    }

    static SslContext client(NodeIdentity id, FingerprintTrustManager pinned, String alpn) throws TransferException {
        try {
            return SslContextBuilder.forClient()
                    .sslProvider(provider())
                    .protocols(PROTOCOLS)
                    .keyManager(id.key(), id.certificate())
                    .trustManager(pinned)
                    .endpointIdentificationAlgorithm(null) // the pinned fingerprint is the identity, not a host name
                    .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
                            SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT, alpn))
                    .build();
        } catch (SSLException e) {
            throw new TransferException("cannot build the client TLS context with provider " + provider(), e);
        }
    }

    /**
     * A JDK SSLContext presenting this node's certificate and pinning the server's, for
     * HTTPS clients such as java.net.http.HttpClient (the CLI talking to a remote daemon).
     */
    public static SSLContext httpsClientContext(NodeIdentity id, String serverFingerprint) throws TransferException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = new char[0];
            ks.setKeyEntry("node", id.key(), pw, new Certificate[] {id.certificate()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(kmf.getKeyManagers(), new javax.net.ssl.TrustManager[] {new FingerprintTrustManager(serverFingerprint)}, null);
            return ctx;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new TransferException("cannot build an HTTPS client context", e);
        }
    }
}
