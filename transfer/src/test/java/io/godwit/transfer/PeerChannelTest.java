package io.godwit.transfer;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

class PeerChannelTest {
    @Test
    void trustedClientCallsWorkConcurrently() throws Exception {
        try (Fixture f = new Fixture(null, true); PeerSession s = f.connect()) {
            assertEquals("server-node", s.peerName());
            CallReply r = s.call("ping", "{\"x\":1}".getBytes(), Duration.ofSeconds(5));
            assertEquals(200, r.status());
            assertEquals("{\"method\":\"ping\",\"echo\":{\"x\":1}}", r.jsonText());
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<CallReply>> fs = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                int n = i;
                fs.add(pool.submit(() -> s.call("m" + n, Integer.toString(n).getBytes(), Duration.ofSeconds(10))));
            }
            for (int i = 0; i < 64; i++) assertEquals("{\"method\":\"m" + i + "\",\"echo\":" + i + "}", fs.get(i).get().jsonText());
            pool.shutdown();
            CallReply boom = s.call("boom", new byte[0], Duration.ofSeconds(5));
            assertEquals(500, boom.status());
            assertEquals("boom went the service", boom.error());
        }
    }

    @Test
    void untrustedClientIsRefusedBeforeAnyCallIsHandled() throws Exception {
        try (Fixture f = new Fixture(null, false)) {
            TransferException e = assertThrows(TransferException.class, f::connect);
            assertTrue(e.getMessage().contains("does not trust our certificate"), e.getMessage());
            // a tree and a tunnel attempt are refused too
            assertThrows(TransferException.class, () -> new TreeSender(new ClientConnector(f.addr(), f.clientId,
                    f.serverId.fingerprint(), TlsContexts.ALPN_PEER)).send(f.dir, "t", SyncMode.FULL, ProgressListener.NONE));
            assertTrue(f.service.seen.isEmpty(), "service saw " + f.service.seen);
            assertTrue(f.server.refusedConnections() >= 2);
            // a revoked peer is refused the same way
            f.serverTrust.add(new TrustedPeer("c", f.clientId.fingerprint(), Instant.now(), "peer"));
            f.connect().close();
            f.serverTrust.revoke(f.clientId.fingerprint());
            assertThrows(TransferException.class, f::connect);
        }
    }

    @Test
    void clientRefusesAServerWithAnotherFingerprint() throws Exception {
        try (Fixture f = new Fixture(null, true)) {
            NodeIdentity impostorPin = NodeIdentity.loadOrCreate(f.dir.resolve("other"), "other");
            TransferException e = assertThrows(TransferException.class,
                    () -> PeerClient.connect(f.addr(), f.clientId, impostorPin.fingerprint()));
            assertTrue(e.getMessage().contains("presented certificate " + f.serverId.fingerprint()), e.getMessage());
            assertTrue(e.getMessage().contains(impostorPin.fingerprint() + " is pinned"), e.getMessage());
            assertTrue(f.service.seen.isEmpty());
        }
    }

    @Test
    void pairingWorksBothWaysOnceAndNotAfterExpiry() throws Exception {
        try (Fixture f = new Fixture(null, false)) {
            TrustToken token = f.serverTrust.issueToken(Duration.ofMinutes(1));
            PairResult r = PeerClient.pair(f.addr(), f.clientId, token.token());
            assertEquals(f.serverId.fingerprint(), r.serverFingerprint());
            assertEquals("server-node", r.serverName());
            assertEquals("peer", r.role());
            assertEquals("client-node", f.serverTrust.get(f.clientId.fingerprint()).orElseThrow().name());
            f.clientTrust.add(new TrustedPeer(r.serverName(), r.serverFingerprint(), Instant.now(), "peer"));
            try (PeerSession s = f.connect()) {
                assertEquals(200, s.call("after-pairing", "1".getBytes(), Duration.ofSeconds(5)).status());
            }
            // the token is used up: a third node cannot reuse it
            NodeIdentity third = NodeIdentity.loadOrCreate(f.dir.resolve("third"), "third");
            TransferException used = assertThrows(TransferException.class, () -> PeerClient.pair(f.addr(), third, token.token()));
            assertTrue(used.getMessage().contains("token unknown, expired or already used"), used.getMessage());
            TrustToken shortLived = f.serverTrust.issueToken(Duration.ofMillis(1));
            Thread.sleep(10);
            assertThrows(TransferException.class, () -> PeerClient.pair(f.addr(), third, shortLived.token()));
            assertFalse(f.serverTrust.isTrusted(third.fingerprint()));
            // a token naming another daemon's fingerprint makes the client refuse this server
            TrustToken foreign = TrustStore.open(f.dir.resolve("third-trust"), third).issueToken(Duration.ofMinutes(1));
            TransferException pin = assertThrows(TransferException.class, () -> PeerClient.pair(f.addr(), third, foreign.token()));
            assertTrue(pin.getMessage().contains("is pinned"), pin.getMessage());
        }
    }

    @Test
    void httpOverAlpnReachesTheInitializerOnlyForTrustedClients() throws Exception {
        List<String> inits = new CopyOnWriteArrayList<>();
        HttpInitializer http = (pipeline, fp) -> {
            inits.add(fp);
            pipeline.addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new SimpleChannelInboundHandler<FullHttpRequest>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                    var resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                            Unpooled.copiedBuffer("hello " + fp + " " + req.uri(), StandardCharsets.UTF_8));
                    resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
                    ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
                }
            });
        };
        try (Fixture f = new Fixture(http, false)) {
            NodeIdentity cli = f.clientId;
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .sslContext(TlsContexts.httpsClientContext(cli, f.serverId.fingerprint())).build();
            HttpRequest req = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + f.server.port() + "/1.0/containers"))
                    .timeout(Duration.ofSeconds(5)).build();
            assertThrows(java.io.IOException.class, () -> client.send(req, HttpResponse.BodyHandlers.ofString()));
            assertTrue(inits.isEmpty());
            f.serverTrust.add(new TrustedPeer("cli", cli.fingerprint(), Instant.now(), "client"));
            HttpResponse<String> resp = client.send(req, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, resp.statusCode());
            assertEquals("hello " + cli.fingerprint() + " /1.0/containers", resp.body());
            assertEquals(List.of(cli.fingerprint()), inits);
        }
    }
    /** peer: moves, not the API; client: the API, not moves; member (fleet): both. A client token makes a client. */
    @Test
    void eachRoleGetsOnlyItsGrant() throws Exception {
        HttpInitializer http = (pipeline, fp) -> pipeline.addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                        var resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                Unpooled.copiedBuffer("api", StandardCharsets.UTF_8));
                        resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
                        ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
                    }
                });
        try (Fixture f = new Fixture(http, false)) {
            for (String role : List.of(TrustedPeer.PEER, TrustedPeer.CLIENT, TrustedPeer.MEMBER)) {
                f.serverTrust.add(new TrustedPeer("c", f.clientId.fingerprint(), Instant.now(), role));
                assertEquals(!role.equals(TrustedPeer.PEER), apiAnswers(f, f.clientId), "API for a " + role);
                assertEquals(!role.equals(TrustedPeer.CLIENT), peerCallAnswers(f), "peer protocol for a " + role);
            }
            NodeIdentity user = NodeIdentity.loadOrCreate(f.dir.resolve("user-id"), "a user");
            TrustToken forUser = f.serverTrust.issueToken(Duration.ofMinutes(1), TrustedPeer.CLIENT);
            assertEquals(TrustedPeer.CLIENT, PeerClient.pair(f.addr(), user, forUser.token()).role());
            assertTrue(apiAnswers(f, user), "a redeemed client token gives the API");
            assertThrows(IllegalArgumentException.class, () -> f.serverTrust.issueToken(Duration.ofMinutes(1),
                    TrustedPeer.MEMBER), "members come from the fleet's directory, never from a token");
        }
    }

    private static boolean apiAnswers(Fixture f, NodeIdentity id) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(TlsContexts.httpsClientContext(id, f.serverId.fingerprint())).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + f.server.port() + "/1.0"))
                .timeout(Duration.ofSeconds(5)).build();
        try {
            return client.send(req, HttpResponse.BodyHandlers.ofString()).body().equals("api");
        } catch (java.io.IOException refused) {
            return false;
        }
    }

    private static boolean peerCallAnswers(Fixture f) throws Exception {
        try (PeerSession s = f.connect()) {
            return !s.call("ping", "{}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5)).isError();
        } catch (java.io.IOException refused) {
            return false;
        }
    }
}
