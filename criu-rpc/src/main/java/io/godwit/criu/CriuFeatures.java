package io.godwit.criu;

/**
 * What CRIU and the kernel support here, from FEATURE_CHECK. memTrack (soft-dirty) decides
 * whether iterative pre-dumps can track dirty pages; lazyPages (userfaultfd) whether post-copy
 * migration is possible; pidfdStore whether pre-dumps can detect pid reuse.
 */
public record CriuFeatures(boolean memTrack, boolean lazyPages, boolean pidfdStore) {}
