package io.godwit.migrator.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;

/**
 * The settings file's "store": {@code {"enabled": true, "codec": "zstd", "keyFile": "/etc/godwit/store.key"}}.
 * enabled: new checkpoints keep their images as chunks in ROOT/store (off: full copies, as before;
 * checkpoints already in the store stay readable either way). codec: zstd (default), lz4 or none.
 * keyFile: the operator's 32-byte key (mode 0600); with it the store is encrypted at rest.
 * s3: chunks in an S3 bucket instead of ROOT/store/chunks (see S3Settings).
 */
public record StoreSettings(boolean enabled, Codec codec, Path keyFile, S3Settings s3) {
    public static final StoreSettings DEFAULT = new StoreSettings(false, Codec.ZSTD, null, null);

    /** Chunks on the daemon's disk. */
    public StoreSettings(boolean enabled, Codec codec, Path keyFile) {
        this(enabled, codec, keyFile, null);
    }

    /** Reads the "store" object; an unknown key or a bad value is an IllegalArgumentException naming it. */
    public static StoreSettings read(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return DEFAULT;
        }
        if (!v.isObject()) {
            throw new IllegalArgumentException("key 'store' must be an object such as {\"enabled\": true}");
        }
        for (var it = v.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!List.of("enabled", "codec", "keyFile", "s3").contains(k)) {
                throw new IllegalArgumentException("key 'store." + k + "' is unknown (enabled, codec, keyFile, s3)");
            }
        }
        JsonNode e = v.get("enabled");
        if (e != null && !e.isBoolean()) {
            throw new IllegalArgumentException("key 'store.enabled' must be true or false, not " + e);
        }
        Codec codec = Codec.ZSTD;
        JsonNode c = v.get("codec");
        if (c != null) {
            if (!c.isTextual()) {
                throw new IllegalArgumentException("key 'store.codec' must be a string: zstd, lz4 or none");
            }
            try {
                codec = Codec.parse(c.asText());
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException("key 'store.codec': " + bad.getMessage());
            }
        }
        Path key = null;
        JsonNode k = v.get("keyFile");
        if (k != null) {
            if (!k.isTextual() || !Path.of(k.asText()).isAbsolute()) {
                throw new IllegalArgumentException("key 'store.keyFile' must be an absolute path, not " + k);
            }
            key = Path.of(k.asText());
        }
        JsonNode s3 = v.get("s3");
        return new StoreSettings(e == null || e.asBoolean(), codec, key,
                s3 == null || s3.isNull() ? null : S3Settings.read(s3));
    }
}
