package io.godwit.migrator.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the middleware hands back: a status, a body (a JSON value, a {@link TextReply} or a
 * {@link StreamReply}) and the response headers the middleware added on the way out.
 */
public record Answer(int status, Object body, Map<String, String> headers) {

    public static Answer of(int status, Object body) {
        return new Answer(status, body, Map.of());
    }

    public Answer withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Answer(status, body, Map.copyOf(h));
    }
}
