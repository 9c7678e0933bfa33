package io.godwit.runtime;

/**
 * Result of a command run inside a container: exit code (-1 on timeout), its stdout and stderr, each
 * cut at {@link ContainerRuntime#EXEC_OUTPUT_CAP} bytes (truncated says so: stream bigger output).
 */
public record ExecResult(int exitCode, String stdout, String stderr, boolean timedOut, boolean truncated) {
}
