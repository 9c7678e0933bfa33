package io.godwit.transfer;

import java.time.Instant;
import java.util.Objects;

/**
 * A pinned certificate and what it may do here, by role:
 * <ul>
 * <li>"peer": another daemon paired for moves. It may use the peer protocol (moves, trees,
 * tunnels to page servers offered to it), not the REST API: pairing two hosts for moves does not
 * hand either the other's containers.</li>
 * <li>"client": a user's CLI that redeemed a client token. The REST API, not the peer protocol.</li>
 * <li>"member": a daemon of the same fleet (published in etcd). Both: a fleet is one domain of
 * administration, and an evacuation starts moves through other members' APIs.</li>
 * </ul>
 */
public record TrustedPeer(String name, String fingerprint, Instant addedAt, String role) {
    public static final String PEER = "peer";
    public static final String CLIENT = "client";
    public static final String MEMBER = "member";

    public TrustedPeer {
        Objects.requireNonNull(name, "name");
        fingerprint = Fingerprints.normalize(fingerprint);
        Objects.requireNonNull(addedAt, "addedAt");
        if (!isRole(role)) {
            throw new IllegalArgumentException("role must be 'peer', 'client' or 'member', not '" + role + "'");
        }
    }

    public static boolean isRole(String role) {
        return PEER.equals(role) || CLIENT.equals(role) || MEMBER.equals(role);
    }

    /** Moves, trees and tunnels: daemons only. */
    public boolean mayUsePeerProtocol() {
        return PEER.equals(role) || MEMBER.equals(role);
    }

    /** The REST API over HTTPS: a user's client, or a member of the same fleet. */
    public boolean mayUseApi() {
        return CLIENT.equals(role) || MEMBER.equals(role);
    }
}
