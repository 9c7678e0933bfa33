package io.godwit.transfer;

import java.time.Instant;
import java.util.Objects;

/** A pinned certificate: role "peer" (another daemon) or "client" (a user's CLI). */
public record TrustedPeer(String name, String fingerprint, Instant addedAt, String role) {
    public static final String PEER = "peer";
    public static final String CLIENT = "client";

    public TrustedPeer {
        Objects.requireNonNull(name, "name");
        fingerprint = Fingerprints.normalize(fingerprint);
        Objects.requireNonNull(addedAt, "addedAt");
        if (!PEER.equals(role) && !CLIENT.equals(role)) {
            throw new IllegalArgumentException("role must be 'peer' or 'client', not '" + role + "'");
        }
    }
}
