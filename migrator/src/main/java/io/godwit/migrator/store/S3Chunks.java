package io.godwit.migrator.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Chunks as objects of an S3 bucket, {@code PREFIX/chunks/NAME}, through the AWS SDK v2 with the
 * JDK's HTTP client. A PUT is atomic (an object is whole or absent), so there are no leftovers.
 * The names of the chunks under the prefix are listed once at open and then kept in memory: the
 * dedup check of a checkpoint costs no request per chunk. That is right as long as this daemon
 * alone writes under its prefix (as S3Settings says); every GC lists the bucket again, and a chunk
 * removed behind the daemon's back is still refused by name when it is read.
 */
final class S3Chunks implements ChunkBackend {
    private static final int PARALLEL = 16;

    private final S3Settings settings;
    private final S3Client client;
    private final String keyPrefix;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    private S3Chunks(S3Settings settings, S3Client client) {
        this.settings = settings;
        this.client = client;
        this.keyPrefix = settings.prefix() + "chunks/";
    }

    /** Connects and lists the bucket: wrong credentials, a missing bucket or a dead endpoint stop here, in words. */
    static S3Chunks open(S3Settings s) throws IOException {
        S3ClientBuilder b = S3Client.builder()
                .region(Region.of(s.region()))
                .credentialsProvider(credentials(s))
                .forcePathStyle(s.pathStyle())
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofSeconds(60)))
                // every chunk is checked against its digest (or sealed) already: no second checksum per request
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofMinutes(2)));
        if (s.endpoint() != null) {
            b.endpointOverride(s.endpoint());
        }
        S3Chunks c = new S3Chunks(s, b.build());
        try {
            for (Entry e : c.list()) {
                c.known.add(e.name());
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private static AwsCredentialsProvider credentials(S3Settings s) throws IOException {
        if (s.accessKeyId() == null) {
            return DefaultCredentialsProvider.builder().build();
        }
        String secret = new String(SecretFiles.read(s.secretKeyFile(), "S3 secret key file"), StandardCharsets.UTF_8).strip();
        if (secret.isEmpty() || secret.contains("\n")) {
            throw new IOException("S3 secret key file " + s.secretKeyFile() + " must hold the secret key alone, on one line");
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(s.accessKeyId(), secret));
    }

    private String key(String name) {
        return keyPrefix + ChunkBackend.checkName(name);
    }

    @Override
    public String describe() {
        return settings.describe();
    }

    @Override
    public int parallelism() {
        return PARALLEL;
    }

    @Override
    public boolean contains(String name) {
        return known.contains(name);
    }

    @Override
    public void put(String name, byte[] body) throws IOException {
        TestPause.step();
        call("store chunk " + name, () -> client.putObject(r -> r.bucket(settings.bucket()).key(key(name)),
                RequestBody.fromBytes(body)));
        known.add(name);
    }

    @Override
    public byte[] get(String name) throws IOException {
        try {
            return call("read chunk " + name, () -> client.getObject(r -> r.bucket(settings.bucket()).key(key(name)),
                    ResponseTransformer.toBytes()).asByteArray());
        } catch (S3Failure f) {
            if (f.status == 404) {
                return null;
            }
            throw f;
        }
    }

    @Override
    public List<Entry> list() throws IOException {
        return call("list chunks", () -> {
            List<Entry> out = new ArrayList<>();
            for (S3Object o : client.listObjectsV2Paginator(r -> r.bucket(settings.bucket()).prefix(keyPrefix)).contents()) {
                String name = o.key().substring(keyPrefix.length());
                // anything under the prefix that is not a chunk name is not ours to keep or remove: ignore it
                if (name.length() >= 8 && name.chars().allMatch(ch -> (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
                    out.add(new Entry(name, o.size(), false));
                }
            }
            return out;
        });
    }

    @Override
    public void delete(List<Entry> entries) throws IOException {
        for (int from = 0; from < entries.size(); from += 1000) { // DeleteObjects takes at most 1000 keys
            List<Entry> batch = entries.subList(from, Math.min(entries.size(), from + 1000));
            TestPause.step();
            List<ObjectIdentifier> ids = batch.stream().map(e -> ObjectIdentifier.builder().key(key(e.name())).build()).toList();
            DeleteObjectsResponse r = call("remove " + batch.size() + " chunks", () -> client.deleteObjects(d -> d
                    .bucket(settings.bucket()).delete(Delete.builder().objects(ids).quiet(true).build())));
            batch.forEach(e -> known.remove(e.name()));
            if (r.hasErrors() && !r.errors().isEmpty()) {
                var first = r.errors().get(0);
                throw new IOException("the checkpoint store " + describe() + " did not remove " + r.errors().size()
                        + " chunks, the first " + first.key() + ": " + first.code() + " " + first.message());
            }
        }
    }

    /** An S3 error with its HTTP status, in words that name the store and what was being done. */
    static final class S3Failure extends IOException {
        private static final long serialVersionUID = 1L;
        final int status;

        S3Failure(String message, int status, Throwable cause) {
            super(message, cause);
            this.status = status;
        }
    }

    private interface Call<T> {
        T run();
    }

    private <T> T call(String what, Call<T> c) throws S3Failure {
        try {
            return c.run();
        } catch (S3Exception e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            String why = switch (code == null ? "" : code) {
                case "InvalidAccessKeyId" -> "the access key id " + settings.accessKeyId() + " is unknown to the server";
                case "SignatureDoesNotMatch" -> "the secret key in " + settings.secretKeyFile()
                        + " is not the one of access key id " + settings.accessKeyId();
                case "AccessDenied" -> "access denied to access key id " + settings.accessKeyId();
                case "NoSuchBucket" -> "the bucket " + settings.bucket() + " does not exist";
                default -> code == null ? e.getMessage() : code + ": " + e.awsErrorDetails().errorMessage();
            };
            throw new S3Failure("the checkpoint store " + describe() + " cannot " + what + ": " + why
                    + " (HTTP " + e.statusCode() + ")", e.statusCode(), e);
        } catch (SdkClientException e) {
            throw new S3Failure("the checkpoint store " + describe() + " cannot " + what + ": " + e.getMessage(), 0, e);
        } catch (SdkException e) {
            throw new S3Failure("the checkpoint store " + describe() + " cannot " + what + ": " + e.getMessage(), 0, e);
        }
    }

    @Override
    public void close() {
        client.close();
    }

}
