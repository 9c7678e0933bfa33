package io.godwit.runtime.image;

import java.time.Instant;

/** One imported image: its content fingerprint (SHA-256 hex), alias, size and import time. */
public record ImageInfo(String fingerprint, String alias, long sizeBytes, Instant importedAt) {
}
