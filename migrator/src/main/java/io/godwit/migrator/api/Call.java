package io.godwit.migrator.api;

import java.util.Map;

/**
 * One HTTP request as the middleware sees it, before routing.
 *
 * @param headers       request headers, names in lower case
 * @param declaredBytes the body length the client announced when it was over the limit (then
 *                      {@code body} is empty), else -1
 * @param requestId     set by {@link RequestIds}; null before it ran
 */
public record Call(String method, String uri, Map<String, String> headers, byte[] body, Caller caller,
        long declaredBytes, String requestId) {

    public Call withRequestId(String id) {
        return new Call(method, uri, headers, body, caller, declaredBytes, id);
    }

    public String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    public boolean bodyTooLarge() {
        return declaredBytes >= 0;
    }

    /** The path without the query, for logs. */
    public String path() {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }
}
