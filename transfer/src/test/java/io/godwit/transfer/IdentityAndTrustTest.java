package io.godwit.transfer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.*;

class IdentityAndTrustTest {
    @TempDir Path tmp;

    @Test
    void identityIsCreatedOnceAndReloadedWithTheSameFingerprint() throws Exception {
        NodeIdentity a = NodeIdentity.loadOrCreate(tmp.resolve("id"), "node-a");
        NodeIdentity b = NodeIdentity.loadOrCreate(tmp.resolve("id"), "other-name-ignored");
        assertEquals(a.fingerprint(), b.fingerprint());
        assertEquals(64, a.fingerprint().length());
        assertEquals(a.fingerprint(), Fingerprints.sha256Hex(b.certificate().getEncoded()));
        assertEquals("node-a", b.name());
        assertArrayEquals(a.key().getEncoded(), b.key().getEncoded());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("id/node.key"))));
        assertNotEquals(a.fingerprint(), NodeIdentity.loadOrCreate(tmp.resolve("id2"), "node-a").fingerprint());
    }

    @Test
    void trustStorePersistsAddsAndRevocations() throws Exception {
        NodeIdentity self = NodeIdentity.loadOrCreate(tmp.resolve("id"), "me");
        NodeIdentity other = NodeIdentity.loadOrCreate(tmp.resolve("id2"), "other");
        TrustStore t = TrustStore.open(tmp.resolve("trust"), self);
        assertFalse(t.isTrusted(other.fingerprint()));
        t.add(new TrustedPeer("other", other.fingerprint(), Instant.parse("2025-01-02T03:04:05Z"), "client"));
        TrustStore reloaded = TrustStore.open(tmp.resolve("trust"), self);
        assertTrue(reloaded.isTrusted(other.fingerprint()));
        assertEquals(new TrustedPeer("other", other.fingerprint(), Instant.parse("2025-01-02T03:04:05Z"), "client"), reloaded.list().get(0));
        assertTrue(reloaded.revoke(other.fingerprint()));
        assertFalse(TrustStore.open(tmp.resolve("trust"), self).isTrusted(other.fingerprint()));
    }

    @Test
    void tokensAreOneTimeAndExpire() throws Exception {
        NodeIdentity self = NodeIdentity.loadOrCreate(tmp.resolve("id"), "me");
        TrustStore t = TrustStore.open(tmp.resolve("trust"), self);
        TrustToken tok = t.issueToken(Duration.ofMinutes(5));
        TrustToken parsed = TrustToken.parse(tok.token());
        assertEquals(self.fingerprint(), parsed.fingerprint());
        assertArrayEquals(tok.secret(), parsed.secret());
        assertFalse(Files.readString(tmp.resolve("trust/trust.properties")).contains(tok.token().substring(4)));
        // survives a restart, then works exactly once
        assertEquals("peer", TrustStore.open(tmp.resolve("trust"), self).redeem(tok.token()).orElseThrow().role());
        assertTrue(TrustStore.open(tmp.resolve("trust"), self).redeem(tok.token()).isEmpty());
        TrustToken expired = t.issueToken(Duration.ofMillis(1));
        Thread.sleep(5);
        assertTrue(t.redeem(expired.token()).isEmpty());
    }
}
