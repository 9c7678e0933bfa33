package io.godwit.runtime;

/** A container spec that cannot be used; {@link #field()} names the offending field (e.g. "limits.memoryBytes"). */
public class InvalidSpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public InvalidSpecException(String field, String message) {
        this(field, message, null);
    }

    public InvalidSpecException(String field, String message, Throwable cause) {
        super("invalid container spec: " + (field == null || field.isEmpty() ? "" : field + ": ") + message, cause);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
