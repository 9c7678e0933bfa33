package io.godwit.migrator.api;

/** A whole reply that is not JSON (Prometheus text, the OpenAPI document): status 200. */
public record TextReply(String contentType, byte[] bytes) {
}
