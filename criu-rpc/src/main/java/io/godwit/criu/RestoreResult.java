package io.godwit.criu;

import java.time.Duration;

/** The outcome of a RESTORE: the host pid of the restored tree's root task. */
public record RestoreResult(int pid, Duration elapsed) {}
