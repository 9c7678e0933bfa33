package io.godwit.transfer;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * Client side: the server's certificate must be exactly the pinned one. No CA, no host
 * name check: the fingerprint is the identity. Extending X509ExtendedTrustManager keeps the
 * JDK from adding its own host name verification on top.
 */
final class FingerprintTrustManager extends X509ExtendedTrustManager {
    private final String expected;
    private volatile String mismatch; // the fingerprint we refused, to report it clearly after the handshake

    FingerprintTrustManager(String expectedFingerprint) {
        this.expected = Fingerprints.normalize(expectedFingerprint);
    }

    String refusedFingerprint() {
        return mismatch;
    }

    String expected() {
        return expected;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) throw new CertificateException("peer presented no certificate");
        String fp = Fingerprints.of(chain[0]);
        if (!fp.equals(expected)) {
            mismatch = fp;
            throw new CertificateException("peer certificate fingerprint " + fp + " does not match the pinned " + expected);
        }
        chain[0].checkValidity();
    }

    @Override public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException { check(chain); }
    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s) throws CertificateException { check(chain); }
    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) throws CertificateException { check(chain); }
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException { check(chain); }
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) throws CertificateException { check(chain); }
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) throws CertificateException { check(chain); }
    @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
}
