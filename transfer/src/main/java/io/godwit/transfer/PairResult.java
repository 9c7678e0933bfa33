package io.godwit.transfer;

/** The server the client paired with; the caller pins it in its own TrustStore. role: what the server granted us. */
public record PairResult(String serverFingerprint, String serverName, String role) {}
