package io.godwit.runtime;

/** A host directory (or file) bind-mounted into the container. */
public record VolumeMount(String hostPath, String containerPath, boolean readOnly) {
}
