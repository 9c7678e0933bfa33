package io.godwit.migrator.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A method and a path pattern such as /1.0/containers/{name}/state, bound to a handler. */
record Route(String method, List<String> segments, Handler handler) {

    static Route of(String method, String pattern, Handler handler) {
        return new Route(method, Router.split(pattern), handler);
    }

    /** The path parameters when the path matches this route's pattern. */
    Optional<Map<String, String>> match(List<String> path) {
        if (path.size() != segments.size()) {
            return Optional.empty();
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String s = segments.get(i);
            if (s.startsWith("{") && s.endsWith("}")) {
                params.put(s.substring(1, s.length() - 1), path.get(i));
            } else if (!s.equals(path.get(i))) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }
}
