package io.godwit.migrator.api;

/** Answers a call: the router at the end of the chain, or the rest of the chain seen by a middleware. */
@FunctionalInterface
public interface Endpoint {
    Answer serve(Call call) throws Exception;
}
