package io.godwit.transfer;

/**
 * FULL sends every file's content. INCREMENTAL first asks the receiver what its target
 * already holds and sends only entries whose type, size, mtime, mode, owner or link target
 * differ. In both modes entries the source no longer has are deleted on the receiver, so
 * the target ends up a mirror of the source.
 */
public enum SyncMode { FULL, INCREMENTAL }
