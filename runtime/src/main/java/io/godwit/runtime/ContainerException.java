package io.godwit.runtime;

/** An operation on a container failed at some step; the message names the container and the step. */
public class ContainerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ContainerException(String container, String step, String detail, Throwable cause) {
        super("container " + container + ": " + step + ": " + detail, cause);
    }

    public ContainerException(String container, String step, String detail) {
        this(container, step, detail, null);
    }
}
