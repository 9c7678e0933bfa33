package io.godwit.transfer;

/** Where the server side connects an incoming tunnel stream (e.g. a local page server). */
public record TunnelTarget(String host, int port) {}
