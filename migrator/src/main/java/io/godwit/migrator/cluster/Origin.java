package io.godwit.migrator.cluster;

import java.time.Instant;

/**
 * Where an evacuated container went (P/evacuated/NODE/NAME), so that `godwit cluster restore NODE`
 * brings it back: moved to a member, or checkpointed and stopped on NODE itself.
 *
 * @param name       the container
 * @param from       the evacuated member
 * @param to         the member it runs on now (null when it was stopped)
 * @param how        "moved" or "stopped"
 * @param mode       the move mode that worked (lazy, cold), or "stop"
 * @param checkpoint the checkpoint taken when it was stopped, else null
 * @param at         when
 */
public record Origin(String name, String from, String to, String how, String mode, String checkpoint, Instant at) {
    public static final String MOVED = "moved";
    public static final String STOPPED = "stopped";
}
