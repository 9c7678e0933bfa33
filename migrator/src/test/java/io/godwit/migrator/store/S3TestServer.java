package io.godwit.migrator.store;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for tests, offline: S3Proxy (Maven Central, org.gaul:s3proxy) in this JVM on a
 * free loopback port, keeping its objects as files under dir/objects (its filesystem backend), and
 * checking AWS v2/v4 signatures against one access key. It is a different S3 implementation from the
 * SDK the store uses, so requests, signatures and errors cross a real HTTP connection.
 */
public final class S3TestServer implements AutoCloseable {
    public static final String KEY_ID = "godwit-test";
    public static final String SECRET = "s3cret-of-the-test-server";

    private final S3Proxy proxy;
    private final Path objects;
    private final URI endpoint;

    private S3TestServer(S3Proxy proxy, Path objects) {
        this.proxy = proxy;
        this.objects = objects;
        this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    public static S3TestServer start(Path dir) throws Exception {
        Path objects = Files.createDirectories(dir.resolve("objects"));
        Properties p = new Properties();
        p.setProperty("jclouds.provider", "filesystem");
        p.setProperty("jclouds.filesystem.basedir", objects.toString());
        p.setProperty("jclouds.identity", KEY_ID);
        p.setProperty("jclouds.credential", SECRET);
        p.setProperty("s3proxy.endpoint", "http://127.0.0.1:0");
        p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        p.setProperty("s3proxy.identity", KEY_ID);
        p.setProperty("s3proxy.credential", SECRET);
        S3Proxy proxy = S3Proxy.Builder.fromProperties(p).blobStore(BlobStores.create("filesystem", p)).build();
        proxy.start();
        for (int i = 0; i < 200 && !"STARTED".equals(proxy.getState()); i++) {
            Thread.sleep(50);
        }
        if (!"STARTED".equals(proxy.getState())) {
            proxy.stop();
            throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
        }
        return new S3TestServer(proxy, objects);
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Where the server keeps a bucket's objects as files (to damage one behind the store's back). */
    public Path bucketDir(String bucket) {
        return objects.resolve(bucket);
    }

    /** An SDK client of its own, as an operator would use to make the bucket or look into it. */
    public S3Client client() {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET))).build();
    }

    public void createBucket(String bucket) {
        try (S3Client c = client()) {
            c.createBucket(r -> r.bucket(bucket));
        }
    }

    /** A secret key file (0600) holding the given secret, and the store's settings for it. */
    public S3Settings settings(Path dir, String bucket, String keyId, String secret) throws Exception {
        Path file = dir.resolve("s3-secret-" + keyId + "-" + secret.hashCode());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
        return new S3Settings(bucket, "godwit/host-a", endpoint, "us-east-1", keyId, file, true);
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
