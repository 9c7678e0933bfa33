package io.godwit.runtime;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Instant;

/**
 * What a container is doing now. {@code initPid} and {@code monitorPid} are 0 when not running;
 * {@code exit} is set once a started container has stopped.
 */
public record ContainerState(String name, Status status, int initPid, int monitorPid, Instant createdAt,
        Instant startedAt, ExitStatus exit, String imageFingerprint) {

    public enum Status { CREATED, RUNNING, PAUSED, STOPPED }

    @JsonIgnore
    public boolean isActive() {
        return status == Status.RUNNING || status == Status.PAUSED;
    }
}
