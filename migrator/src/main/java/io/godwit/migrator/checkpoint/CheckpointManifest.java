package io.godwit.migrator.checkpoint;

import io.godwit.runtime.ContainerSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * manifest.json of a checkpoint: enough to check it is whole and to restore the container even after
 * the container was deleted (spec, image, the stdio pipe keys CRIU needs, volumes).
 */
public record CheckpointManifest(int format, String id, String container, Instant createdAt, String criuVersion,
        String kernel, String imageFingerprint, ContainerSpec spec, Map<String, String> stdioPipes,
        Map<String, String> volumes, boolean leftRunning, List<ManifestFile> files) {
    /** Images are files in the checkpoint's images/. */
    public static final int FORMAT = 1;
    /** Images are chunks in the store, listed by chunks.json (itself in {@code files}, with its SHA-256). */
    public static final int FORMAT_STORED = 2;
}
