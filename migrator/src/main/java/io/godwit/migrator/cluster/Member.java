package io.godwit.migrator.cluster;

import java.util.Map;

/**
 * One daemon of the fleet as it publishes itself (P/members/NODE, under its lease), with the state
 * the fleet gave it (P/state/NODE) merged in when read.
 *
 * @param name        the member's name (godwitd --node-name), unique in the fleet
 * @param address     its TLS port, HOST:PORT (where peers and remote clients reach it)
 * @param fingerprint SHA-256 of its certificate: members trust each other by it
 * @param capacity    what it can take
 * @param labels      operator's key=value pairs
 * @param state       ready, evacuating or evacuated
 * @param containers  how many containers it runs (the directory has them one by one)
 * @param version     godwitd's version
 */
public record Member(String name, String address, String fingerprint, Capacity capacity, Map<String, String> labels,
        String state, int containers, String version) {
    public static final String READY = "ready";
    public static final String EVACUATING = "evacuating";
    public static final String EVACUATED = "evacuated";

    public Member {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        state = state == null ? READY : state;
    }

    public Member withState(String s) {
        return new Member(name, address, fingerprint, capacity, labels, s, containers, version);
    }
}
