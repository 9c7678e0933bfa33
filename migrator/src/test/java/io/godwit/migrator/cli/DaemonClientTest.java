package io.godwit.migrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.FakeDaemon.Reply;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DaemonClientTest {
    private FakeDaemon daemon;
    private DaemonClient client;

    @BeforeEach
    void start() throws IOException {
        daemon = new FakeDaemon();
        client = new DaemonClient(daemon.socket());
    }

    @AfterEach
    void stop() throws IOException {
        daemon.close();
    }

    @Test
    void parsesJsonWithContentLength() throws IOException {
        daemon.on("GET", "/1.0", Reply.json("{\"version\": \"0.1\", \"criu\": {\"version\": \"4.1\"}}"));
        ApiResponse r = client.get("/1.0");
        assertEquals(200, r.status());
        assertEquals("4.1", r.json().path("criu").path("version").asText());
        assertEquals("application/json", r.header("Content-Type"));
    }

    @Test
    void parsesChunkedJson() throws IOException {
        daemon.on("GET", "/1.0/containers",
                Reply.chunked("application/json", "[{\"na", "me\": \"c1\"}, ", "{\"name\": \"\u00e9t\u00e9\"}]"));
        JsonNode list = client.get("/1.0/containers").json();
        assertEquals(2, list.size());
        assertEquals("c1", list.get(0).path("name").asText());
        assertEquals("\u00e9t\u00e9", list.get(1).path("name").asText());
    }

    @Test
    void sendsJsonBodiesWithTheHeadersHttp11Needs() throws IOException {
        daemon.on("POST", "/1.0/containers/c1/state", Reply.json("{\"name\": \"c1\"}"));
        client.post("/1.0/containers/c1/state", Map.of("action", "stop"));
        FakeDaemon.Request req = daemon.requests.get(0);
        assertEquals("POST", req.method());
        assertEquals("stop", req.json().path("action").asText());
        assertEquals("application/json", req.headers().get("content-type"));
        assertEquals("close", req.headers().get("connection"));
        assertTrue(req.headers().containsKey("host"));
        assertEquals(String.valueOf(req.body().length()), req.headers().get("content-length"));
    }

    @Test
    void emptyPostStillSendsALength() throws IOException {
        daemon.on("POST", "/1.0/trust/tokens", Reply.json("{\"token\": \"abc\"}"));
        assertEquals("abc", client.post("/1.0/trust/tokens", null).json().path("token").asText());
        assertEquals("0", daemon.requests.get(0).headers().get("content-length"));
    }

    @Test
    void errorStatusesBecomeApiExceptionsWithTheApisText() {
        daemon.on("GET", "/1.0/containers/nope", Reply.error(404, "container nope not found"));
        ApiException e = assertThrows(ApiException.class, () -> client.get("/1.0/containers/nope"));
        assertEquals(404, e.status());
        assertEquals("container nope not found", e.getMessage());
    }

    @Test
    void errorWithoutJsonUsesTheBodyText() {
        daemon.on("DELETE", "/1.0/images/x", new Reply(409, "text/plain", "image in use\n", null));
        ApiException e = assertThrows(ApiException.class, () -> client.delete("/1.0/images/x"));
        assertEquals(409, e.status());
        assertEquals("image in use", e.getMessage());
    }

    @Test
    void sendReturnsErrorsWithoutThrowing() throws IOException {
        daemon.on("GET", "/1.0/x", Reply.error(409, "busy"));
        ApiResponse r = client.send("GET", "/1.0/x", null);
        assertEquals(409, r.status());
        assertFalse(r.ok());
        assertEquals("busy", r.json().path("error").asText());
    }

    @Test
    void streamsLinesAcrossChunkBoundaries() throws IOException {
        daemon.on("GET", "/1.0/events", Reply.chunked("application/x-ndjson", "{\"a\":1}\n{\"b\"", ":2}\n", "\n", "tail"));
        List<String> lines = new ArrayList<>();
        try (DaemonClient.LineStream s = client.stream("/1.0/events")) {
            for (String l = s.readLine(); l != null; l = s.readLine()) {
                lines.add(l);
            }
        }
        assertEquals(List.of("{\"a\":1}", "{\"b\":2}", "", "tail"), lines);
    }

    @Test
    void streamErrorsAreApiExceptions() {
        daemon.on("GET", "/1.0/containers/x/logs?follow=true", Reply.error(404, "container x not found"));
        ApiException e = assertThrows(ApiException.class, () -> client.stream("/1.0/containers/x/logs?follow=true"));
        assertEquals(404, e.status());
    }

    @Test
    void missingSocketIsUnreachable() throws IOException {
        Path missing = Files.createTempDirectory("gwcli").resolve("none.sock");
        DaemonUnreachableException e = assertThrows(DaemonUnreachableException.class,
                () -> new DaemonClient(missing).get("/1.0"));
        assertTrue(e.getMessage().startsWith("cannot reach godwitd at " + missing + ": "), e.getMessage());
        assertTrue(e.hint().contains("--socket"), e.hint());
        Files.delete(missing.getParent());
    }

    @Test
    void socketWithNobodyListeningIsUnreachable() throws IOException {
        Path dir = Files.createTempDirectory("gwcli");
        Path sock = dir.resolve("dead.sock");
        // Bind then close: the socket file stays, and connecting is refused.
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(sock));
        }
        assertTrue(Files.exists(sock));
        assertThrows(DaemonUnreachableException.class, () -> new DaemonClient(sock).get("/1.0"));
        Files.delete(sock);
        Files.delete(dir);
    }

    @Test
    void waitOperationPollsUntilItFinishes() throws IOException {
        daemon.on("GET", "/1.0/operations/op1/wait",
                Reply.json("{\"id\": \"op1\", \"status\": \"running\", \"phase\": \"dump\", \"bytesDone\": 1, \"bytesTotal\": 4}"),
                Reply.json("{\"id\": \"op1\", \"status\": \"running\", \"phase\": \"copy\", \"bytesDone\": 3, \"bytesTotal\": 4}"),
                Reply.json("{\"id\": \"op1\", \"status\": \"success\", \"result\": {\"checkpoint\": {\"id\": \"cp1\"}}}"));
        List<String> phases = new ArrayList<>();
        JsonNode done = client.waitOperation("op1", op -> phases.add(op.path("status").asText() + ":" + op.path("phase").asText()));
        assertEquals("success", done.path("status").asText());
        assertEquals("cp1", done.path("result").path("checkpoint").path("id").asText());
        assertEquals(List.of("running:dump", "running:copy", "success:"), phases);
        // each call waits in the daemon, cut short so that the progress can be shown
        assertTrue(daemon.requests.get(0).path().endsWith("/wait?timeoutMillis=250"), daemon.requests.get(0).path());
    }

    @Test
    void waitOperationReturnsFailuresToo() throws IOException {
        daemon.on("GET", "/1.0/operations/op2/wait",
                Reply.json("{\"id\": \"op2\", \"status\": \"running\"}"),
                Reply.json("{\"id\": \"op2\", \"status\": \"failure\", \"error\": \"criu dump failed\"}"));
        assertEquals("failure", client.waitOperation("op2", null).path("status").asText());
    }

    @Test
    void waitOperationGivesUpAtTheTimeout() throws IOException {
        daemon.on("GET", "/1.0/operations/op3/wait", Reply.json("{\"id\": \"op3\", \"status\": \"running\"}"));
        long t0 = System.nanoTime();
        JsonNode op = client.waitOperation("op3", Duration.ofMillis(500), null);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(DaemonClient.isRunning(op));
        assertTrue(ms >= 450 && ms < 5000, "took " + ms + " ms");
    }

    @Test
    void unknownOperationIsNotFound() {
        ApiException e = assertThrows(ApiException.class, () -> client.waitOperation("zzz", null));
        assertEquals(404, e.status());
    }

    @Test
    void segmentsAreEncoded() {
        assertEquals("a%2Fb%20c", DaemonClient.seg("a/b c"));
        assertEquals("c1", DaemonClient.seg("c1"));
    }

    @Test
    void bodyHelperSkipsNulls() {
        assertEquals(Map.of("a", 1), DaemonClient.body("a", 1, "b", null));
        assertNull(DaemonClient.body("b", null).get("b"));
    }
}
