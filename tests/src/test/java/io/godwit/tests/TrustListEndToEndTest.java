package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import io.godwit.transfer.NodeIdentity;
import io.godwit.transfer.PeerClient;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A token redeemed by a client that is not a daemon leaves a trusted certificate: it shows in
 * GET /1.0/trust (it did not show anywhere) and DELETE revokes it, after which it cannot connect.
 */
class TrustListEndToEndTest {
    @RegisterExtension
    final TestDaemon node = TestDaemon.inNewDir();
    private final Path dir = node.dir;
    private final DaemonProcess daemon = node.process;

    @Test
    void aRedeemedTokenShowsInTheTrustListAndIsRevoked() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> args = new ArrayList<>(TestDaemon.FAST_START);
        args.addAll(List.of("--listen", "127.0.0.1:" + port));
        daemon.start(args);
        DaemonClient api = daemon.client();
        assertEquals(0, api.get("/1.0/trust").json().size(), "nothing trusted yet");

        ApiResponse token = api.post("/1.0/trust/tokens", java.util.Map.of());
        assertEquals(201, token.status(), token.body());
        NodeIdentity stranger = NodeIdentity.loadOrCreate(Files.createDirectories(dir.resolve("stranger")), "stranger");
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", port);
        PeerClient.pair(addr, stranger, token.json().get("token").asText());

        JsonNode trusted = api.get("/1.0/trust").json();
        assertEquals(1, trusted.size(), trusted.toString());
        JsonNode t = trusted.get(0);
        assertEquals(stranger.fingerprint(), t.get("fingerprint").asText());
        assertEquals("stranger", t.get("name").asText());
        assertTrue(t.hasNonNull("role") && t.hasNonNull("addedAt"), t.toString());
        assertTrue(t.get("remote").isNull(), "a client is no remote of ours");

        assertEquals(200, api.send("DELETE", "/1.0/trust/" + stranger.fingerprint(), null).status());
        assertEquals(0, api.get("/1.0/trust").json().size());
        assertEquals(404, api.send("DELETE", "/1.0/trust/" + stranger.fingerprint(), null).status());
        String daemonFp = api.get("/1.0").json().get("fingerprint").asText();
        assertThrows(Exception.class, () -> PeerClient.connect(addr, stranger, daemonFp).close(),
                "a revoked certificate is refused");
        ApiResponse bad = api.send("POST", "/1.0/trust/tokens", java.util.Map.of("role", "admin"));
        assertEquals(400, bad.status(), bad.body());
        assertTrue(bad.body().contains("'peer'") && bad.body().contains("'client'"), bad.body());
        String forUser = api.post("/1.0/trust/tokens", java.util.Map.of("role", "client")).json().get("token").asText();
        NodeIdentity user = NodeIdentity.loadOrCreate(Files.createDirectories(dir.resolve("user")), "user");
        assertEquals("client", PeerClient.pair(addr, user, forUser).role());
        assertEquals("client", api.get("/1.0/trust").json().get(0).get("role").asText());
        assertThrows(Exception.class, () -> PeerClient.connect(addr, user, daemonFp).close(),
                "a client may use the API, not the peer protocol");
        assertFalse(Files.readString(daemon.log).contains("Exception in thread"));
    }

    @RegisterExtension
    final TestDaemon other = TestDaemon.inNewDir();

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void removingARemoteUnpairsBothSidesWhenTheOtherAnswers() throws Exception {
        int portA = freePort();
        int portB = freePort();
        daemon.start(List.of("--criu-breakpoints", "off", "--listen", "127.0.0.1:" + portA, "--node-name", "near"));
        other.start(List.of("--criu-breakpoints", "off", "--listen", "127.0.0.1:" + portB, "--node-name", "far"));
        DaemonClient a = daemon.client();
        DaemonClient b = other.client();
        String token = b.post("/1.0/trust/tokens", java.util.Map.of()).json().get("token").asText();
        ApiResponse added = a.post("/1.0/remotes", java.util.Map.of("name", "far", "address", "127.0.0.1:" + portB,
                "token", token));
        assertEquals(201, added.status(), added.body());
        assertEquals(1, a.get("/1.0/trust").json().size());
        assertEquals(1, b.get("/1.0/trust").json().size(), "paired both ways");

        ApiResponse removed = a.send("DELETE", "/1.0/remotes/far", null);
        assertEquals(200, removed.status(), removed.body());
        assertTrue(removed.json().path("otherSideToo").asBoolean(), removed.body());
        assertEquals(0, a.get("/1.0/trust").json().size());
        assertEquals(0, b.get("/1.0/trust").json().size(), "the other side took back its trust too");
        assertEquals(0, a.get("/1.0/remotes").json().size());

        // paired again, then the other side is down: forgotten here all the same, and said so
        token = b.post("/1.0/trust/tokens", java.util.Map.of()).json().get("token").asText();
        assertEquals(201, a.post("/1.0/remotes", java.util.Map.of("name", "far", "address", "127.0.0.1:" + portB,
                "token", token)).status());
        other.process.close();
        removed = a.send("DELETE", "/1.0/remotes/far", null);
        assertEquals(200, removed.status(), removed.body());
        assertFalse(removed.json().path("otherSideToo").asBoolean(), removed.body());
        assertTrue(removed.json().path("detail").asText().contains("may still trust"), removed.body());
        assertEquals(0, a.get("/1.0/remotes").json().size());
    }
}
