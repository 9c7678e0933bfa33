package io.godwit.migrator.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * The settings file's "store.s3": where the store keeps its chunks when they live in an S3 bucket.
 * <pre>{"bucket": "ckpt", "prefix": "godwit/host-a/", "endpoint": "https://s3.example:9000",
 *  "region": "us-east-1", "accessKeyId": "AKIA...", "secretKeyFile": "/etc/godwit/s3.secret", "pathStyle": true}</pre>
 * The secret key is never in the settings file: it is read from {@code secretKeyFile}, which must be
 * 0600 (see SecretFiles). Without accessKeyId and secretKeyFile the SDK's default chain is asked
 * (environment, instance profile). One prefix belongs to one daemon: its GC removes every chunk
 * under the prefix that its own checkpoints do not name.
 */
public record S3Settings(String bucket, String prefix, URI endpoint, String region, String accessKeyId,
        Path secretKeyFile, boolean pathStyle) {
    private static final List<String> KEYS = List.of("bucket", "prefix", "endpoint", "region", "accessKeyId",
            "secretKeyFile", "pathStyle");

    public S3Settings {
        prefix = prefix == null || prefix.isEmpty() || prefix.endsWith("/") ? (prefix == null ? "" : prefix) : prefix + "/";
    }

    /** "s3://bucket/prefix at endpoint", for messages (never the secret). */
    public String describe() {
        return "s3://" + bucket + "/" + prefix + (endpoint == null ? "" : " at " + endpoint);
    }

    static S3Settings read(JsonNode v) {
        if (!v.isObject()) {
            throw new IllegalArgumentException("key 'store.s3' must be an object such as {\"bucket\": \"ckpt\"}");
        }
        for (var it = v.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("key 'store.s3." + k + "' is unknown (" + String.join(", ", KEYS) + ")"
                        + (k.toLowerCase().contains("secret") ? "; the secret key goes in a file named by secretKeyFile" : ""));
            }
        }
        String bucket = text(v, "bucket");
        if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("key 'store.s3.bucket' must name a bucket (3-63 of a-z 0-9 . -), not "
                    + v.get("bucket"));
        }
        String prefix = text(v, "prefix");
        if (prefix != null && (prefix.startsWith("/") || prefix.contains("//") || prefix.contains(".."))) {
            throw new IllegalArgumentException("key 'store.s3.prefix' must be a relative key prefix such as godwit/host-a/");
        }
        URI endpoint = null;
        String e = text(v, "endpoint");
        if (e != null) {
            try {
                endpoint = URI.create(e);
            } catch (IllegalArgumentException bad) {
                endpoint = null;
            }
            if (endpoint == null || !List.of("http", "https").contains(endpoint.getScheme()) || endpoint.getHost() == null) {
                throw new IllegalArgumentException("key 'store.s3.endpoint' must be an http(s) URL, not " + e);
            }
        }
        String region = text(v, "region");
        String keyId = text(v, "accessKeyId");
        String secret = text(v, "secretKeyFile");
        if ((keyId == null) != (secret == null)) {
            throw new IllegalArgumentException("keys 'store.s3.accessKeyId' and 'store.s3.secretKeyFile' go together"
                    + " (or leave both out for the SDK's default credentials)");
        }
        if (secret != null && !Path.of(secret).isAbsolute()) {
            throw new IllegalArgumentException("key 'store.s3.secretKeyFile' must be an absolute path, not " + secret);
        }
        JsonNode ps = v.get("pathStyle");
        if (ps != null && !ps.isBoolean()) {
            throw new IllegalArgumentException("key 'store.s3.pathStyle' must be true or false, not " + ps);
        }
        return new S3Settings(bucket, prefix, endpoint, region == null ? "us-east-1" : region, keyId,
                secret == null ? null : Path.of(secret), ps == null ? endpoint != null : ps.asBoolean());
    }

    private static String text(JsonNode v, String key) {
        JsonNode n = v.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException("key 'store.s3." + key + "' must be a string, not " + n);
        }
        return n.asText();
    }
}
