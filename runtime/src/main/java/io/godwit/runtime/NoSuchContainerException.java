package io.godwit.runtime;

/** The named container does not exist in this runtime's containers directory. */
public class NoSuchContainerException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String name;

    public NoSuchContainerException(String name) {
        super("no such container: " + name);
        this.name = name;
    }

    public String name() {
        return name;
    }
}
