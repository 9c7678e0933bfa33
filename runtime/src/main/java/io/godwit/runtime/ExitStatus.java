package io.godwit.runtime;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Instant;

/** How a container's init ended: exit code (-1 if killed) or the signal that killed it (0 if none). */
public record ExitStatus(int exitCode, int signal, Instant finishedAt) {
    @JsonIgnore
    public boolean killedBySignal() {
        return signal != 0;
    }
}
