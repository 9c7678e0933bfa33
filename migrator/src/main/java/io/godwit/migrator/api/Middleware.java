package io.godwit.migrator.api;

import java.util.List;

/**
 * One concern of the request path (request id, access log, version, errors, body limit) that
 * wraps the rest of it, as the Docker daemon's API server stacks its middlewares before its router.
 */
@FunctionalInterface
public interface Middleware {
    Answer handle(Call call, Endpoint next) throws Exception;

    /** {@code layers} in order from the outside in, around {@code last}. */
    static Endpoint chain(List<Middleware> layers, Endpoint last) {
        Endpoint e = last;
        for (int i = layers.size() - 1; i >= 0; i--) {
            Middleware m = layers.get(i);
            Endpoint next = e;
            e = call -> m.handle(call, next);
        }
        return e;
    }
}
