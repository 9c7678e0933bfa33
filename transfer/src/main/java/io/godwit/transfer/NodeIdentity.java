package io.godwit.transfer;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/**
 * This daemon's key and self-signed certificate. Peers know it by the certificate's
 * fingerprint, never by a CA, so the certificate only has to be stable.
 */
public final class NodeIdentity {
    static final String KEY_FILE = "node.key";
    static final String CERT_FILE = "node.crt";
    private static final Duration VALIDITY = Duration.ofDays(365L * 30);

    private final PrivateKey key;
    private final X509Certificate certificate;
    private final String fingerprint;

    private NodeIdentity(PrivateKey key, X509Certificate certificate) {
        this.key = key;
        this.certificate = certificate;
        this.fingerprint = Fingerprints.of(certificate);
    }

    /** Loads an identity that must exist (a client borrowing its daemon's); never creates one. */
    public static NodeIdentity loadExisting(Path dir) throws IOException {
        Path keyFile = dir.resolve(KEY_FILE);
        Path certFile = dir.resolve(CERT_FILE);
        if (!Files.isReadable(keyFile) || !Files.isReadable(certFile)) {
            throw new TransferException("no readable identity in " + dir + " (the daemon's key is for root only)");
        }
        return load(keyFile, certFile);
    }

    /** Loads the identity from dir, or creates an EC P-256 key and certificate there on first start. */
    public static synchronized NodeIdentity loadOrCreate(Path dir, String commonName) throws IOException {
        Path keyFile = dir.resolve(KEY_FILE);
        Path certFile = dir.resolve(CERT_FILE);
        if (Files.exists(keyFile) && Files.exists(certFile)) {
            return load(keyFile, certFile);
        }
        if (Files.exists(keyFile) || Files.exists(certFile)) {
            // Half an identity means something went wrong; replacing it would silently break pairings.
            throw new TransferException("identity in " + dir + " is incomplete (one of " + KEY_FILE + ", "
                    + CERT_FILE + " is missing); remove both to create a new identity");
        }
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        NodeIdentity id = create(commonName);
        // Key first: a crash between the two writes leaves an incomplete identity, reported above.
        AtomicFiles.write(keyFile, pem("PRIVATE KEY", id.key.getEncoded()), PosixFilePermissions.fromString("rw-------"));
        try {
            AtomicFiles.write(certFile, pem("CERTIFICATE", id.certificate.getEncoded()), PosixFilePermissions.fromString("rw-r--r--"));
        } catch (GeneralSecurityException e) {
            throw new TransferException("cannot encode the new certificate", e);
        }
        return id;
    }

    private static NodeIdentity load(Path keyFile, Path certFile) throws IOException {
        try {
            byte[] der = unpem(Files.readString(keyFile), "PRIVATE KEY", keyFile);
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certFile)));
            return new NodeIdentity(key, cert);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new TransferException("cannot load identity from " + keyFile + " and " + certFile, e);
        }
    }

    static NodeIdentity create(String commonName) throws TransferException {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair pair = gen.generateKeyPair();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(128, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return new NodeIdentity(pair.getPrivate(), cert);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new TransferException("cannot create a key and certificate for '" + commonName + "'", e);
        }
    }

    private static byte[] pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] unpem(String text, String type, Path from) throws TransferException {
        String begin = "-----BEGIN " + type + "-----", end = "-----END " + type + "-----";
        int b = text.indexOf(begin), e = text.indexOf(end);
        if (b < 0 || e < b) throw new TransferException(from + " holds no PEM block of type " + type);
        return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
    }

    /** Lowercase hex SHA-256 of the DER certificate. */
    public String fingerprint() {
        return fingerprint;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PrivateKey key() {
        return key;
    }

    /** The certificate's common name: the name this node gives itself when pairing. */
    public String name() {
        X500Name name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        var rdns = name.getRDNs(BCStyle.CN);
        return rdns.length == 0 ? fingerprint.substring(0, 12) : IETFUtils.valueToString(rdns[0].getFirst().getValue());
    }

    @Override
    public String toString() {
        return "NodeIdentity[" + name() + ", " + fingerprint + "]";
    }
}
