package io.godwit.migrator.api;

/** A JSON reply with its HTTP status. */
public record Reply(int status, Object body) {
    public static Reply ok(Object body) {
        return new Reply(200, body);
    }

    public static Reply created(Object body) {
        return new Reply(201, body);
    }

    public static Reply accepted(Object body) {
        return new Reply(202, body);
    }
}
