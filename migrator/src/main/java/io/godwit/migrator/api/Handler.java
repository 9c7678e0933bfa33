package io.godwit.migrator.api;

/** Handles one routed request: returns a {@link Reply} (or a {@link StreamReply} for endless bodies). */
@FunctionalInterface
public interface Handler {
    Object handle(ApiRequest request) throws Exception;
}
