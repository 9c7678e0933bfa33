package io.godwit.migrator.api;

/** A failure that maps to one HTTP status: the API's single way to say "no" with a reason. */
public class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public ApiException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    public static ApiException notFound(String what, String name) {
        return new ApiException(404, what + " '" + name + "' not found");
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, message);
    }
}
