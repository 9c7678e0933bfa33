package io.godwit.transfer;

import java.nio.charset.StandardCharsets;

/**
 * The answer to a call: an HTTP-like status and a JSON body. When the service threw,
 * status is 500 and error holds its message (body may be empty).
 */
public record CallReply(int status, byte[] json, String error) {
    public CallReply {
        json = json == null ? new byte[0] : json;
        error = error == null ? "" : error;
    }

    public static CallReply ok(byte[] json) {
        return new CallReply(200, json, "");
    }

    public static CallReply of(int status, byte[] json) {
        return new CallReply(status, json, "");
    }

    public boolean isError() {
        return status >= 400 || !error.isEmpty();
    }

    public String jsonText() {
        return new String(json, StandardCharsets.UTF_8);
    }
}
