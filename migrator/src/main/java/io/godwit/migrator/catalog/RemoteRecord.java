package io.godwit.migrator.catalog;

/** A paired peer daemon: its name here, its address and its pinned certificate fingerprint. */
public record RemoteRecord(String name, String address, String fingerprint) {
}
