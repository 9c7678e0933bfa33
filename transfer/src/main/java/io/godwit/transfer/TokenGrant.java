package io.godwit.transfer;

import java.time.Instant;

/** What redeeming a trust token grants: the role the redeemer is trusted with. */
public record TokenGrant(String role, Instant issuedAt) {}
