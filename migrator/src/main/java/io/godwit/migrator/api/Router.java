package io.godwit.migrator.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds the handler for a method and path; a known path with the wrong method is a 405. */
public final class Router {
    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String pattern, Handler handler) {
        routes.add(Route.of(method, pattern, handler));
        return this;
    }

    /** Every route as "METHOD /pattern", in the order they were added (for the OpenAPI check). */
    public List<String> routes() {
        return routes.stream().map(r -> r.method() + " /" + String.join("/", r.segments())).toList();
    }

    /** The router as the last link of the request path: its result becomes an {@link Answer}. */
    public Endpoint endpoint() {
        return call -> {
            Object result = dispatch(call.method(), call.uri(), call.body(), call.caller().toString());
            return result instanceof Reply reply ? Answer.of(reply.status(), reply.body()) : Answer.of(200, result);
        };
    }

    public Object dispatch(String method, String uri, byte[] body, String client) throws Exception {
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        List<String> path = split(rawPath).stream().map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8)).toList();
        Map<String, String> query = q < 0 ? Map.of() : parseQuery(uri.substring(q + 1));
        boolean pathKnown = false;
        for (Route r : routes) {
            Optional<Map<String, String>> params = r.match(path);
            if (params.isEmpty()) {
                continue;
            }
            pathKnown = true;
            if (r.method().equals(method)) {
                return r.handler().handle(new ApiRequest(method, rawPath, params.get(), query, body, client));
            }
        }
        if (pathKnown) {
            throw new ApiException(405, "method " + method + " not allowed on " + rawPath);
        }
        throw new ApiException(404, "no such endpoint: " + rawPath);
    }

    static List<String> split(String path) {
        return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    }

    private static Map<String, String> parseQuery(String query) {
        Map<String, String> out = new HashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }
}
