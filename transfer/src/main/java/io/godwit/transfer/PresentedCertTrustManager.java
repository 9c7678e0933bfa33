package io.godwit.transfer;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * Server side: any well-formed, currently valid client certificate passes the handshake,
 * because an unknown client may still pair with a token. Whether the fingerprint is pinned
 * is decided by {@link ServerHandshakeGate} right after the handshake, before a single
 * request is handled.
 */
final class PresentedCertTrustManager extends X509ExtendedTrustManager {
    private static void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) throw new CertificateException("client presented no certificate");
        chain[0].checkValidity();
    }

    @Override public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException { check(chain); }
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) throws CertificateException { check(chain); }
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) throws CertificateException { check(chain); }
    @Override public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("this trust manager only verifies clients");
    }
    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s) throws CertificateException {
        throw new CertificateException("this trust manager only verifies clients");
    }
    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) throws CertificateException {
        throw new CertificateException("this trust manager only verifies clients");
    }
    @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
}
