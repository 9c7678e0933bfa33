package io.godwit.runtime;

/** Result of a command run inside a container: exit code (-1 on timeout), its stdout and stderr. */
public record ExecResult(int exitCode, String stdout, String stderr, boolean timedOut) {
}
