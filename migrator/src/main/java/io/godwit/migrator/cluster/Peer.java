package io.godwit.migrator.cluster;

/** How to reach a member and which certificate it presents (P/trust/NODE). */
public record Peer(String name, String address, String fingerprint) {
}
