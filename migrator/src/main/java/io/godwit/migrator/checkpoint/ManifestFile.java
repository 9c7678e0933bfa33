package io.godwit.migrator.checkpoint;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One entry of a checkpoint: its path relative to the checkpoint directory, and for a regular file
 * (kind absent) its size and SHA-256. The rootfs changes also hold entries that are not files but
 * change what the container sees: an overlay whiteout (kind "whiteout", a name deleted from the
 * image) and an opaque directory (kind "opaque-dir", one that replaced the image's directory).
 */
public record ManifestFile(String path, long size, String sha256,
        @JsonInclude(JsonInclude.Include.NON_NULL) String kind) {
    public static final String WHITEOUT = "whiteout";
    public static final String OPAQUE_DIR = "opaque-dir";

    /** A regular file. */
    public ManifestFile(String path, long size, String sha256) {
        this(path, size, sha256, null);
    }
}
