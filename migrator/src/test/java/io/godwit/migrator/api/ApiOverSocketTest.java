package io.godwit.migrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The request path on a real Unix socket through Netty: headers on the wire, the 413 with a JSON body. */
class ApiOverSocketTest {
    private Path dir;
    private ExecutorService workers;
    private UnixSocketServer server;

    @BeforeEach
    void start() throws IOException {
        dir = Files.createTempDirectory("godwit-api-test");
        workers = Executors.newVirtualThreadPerTaskExecutor();
        Router router = new Router().add("POST", "/1.0/echo", r -> Map.of("bytes", r.body().length))
                .add("GET", "/metrics", r -> new TextReply("text/plain; version=0.0.4", "up 1\n".getBytes()));
        server = UnixSocketServer.start(dir.resolve("s.sock"), RequestPath.around(router), workers);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        workers.shutdownNow();
        Files.deleteIfExists(dir);
    }

    /** One request on its own connection; the whole response as text (the server closes after it). */
    private String exchange(String head, byte[] body) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(dir.resolve("s.sock")));
            OutputStream out = Channels.newOutputStream(ch);
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = Channels.newInputStream(ch);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            in.transferTo(got);
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    private static JsonNode jsonBody(String response) throws IOException {
        return Json.MAPPER.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
    }

    @Test
    void headersOfTheMiddlewareReachTheWire() throws IOException {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        String r = exchange("POST /1.0/echo HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc-1\r\nContent-Length: 2\r\n"
                + "Connection: close\r\n\r\n", body);
        assertTrue(r.startsWith("HTTP/1.1 200"), r);
        assertTrue(r.contains("x-request-id: abc-1") || r.contains("X-Request-Id: abc-1"), r);
        assertTrue(r.toLowerCase().contains("godwit-api-version: 1.0"), r);
        assertEquals(2, jsonBody(r).get("bytes").asInt());
    }

    @Test
    void aFiftyMegabyteBodyIsRefusedWithAJson413BeforeItIsRead() throws IOException {
        long announced = 50L * 1024 * 1024;
        // only the first bytes are sent: the refusal must come from the announced length alone
        String r = exchange("POST /1.0/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + announced + "\r\n\r\n", "{\"name\": \"".getBytes(StandardCharsets.UTF_8));
        assertTrue(r.startsWith("HTTP/1.1 413"), r);
        JsonNode body = jsonBody(r);
        assertEquals(413, body.get("status").asInt());
        assertTrue(body.get("error").asText().contains("52428800 bytes"), r);
        assertTrue(body.get("requestId").asText().length() > 0, r);
    }

    @Test
    void aClientExpecting100ContinueGetsTheJson413Too() throws IOException {
        // what curl sends for a body over 1 MiB: it waits for "100 Continue" before the body
        String r = exchange("POST /1.0/echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: "
                + (50L * 1024 * 1024) + "\r\n\r\n", new byte[0]);
        assertTrue(r.startsWith("HTTP/1.1 413"), r);
        assertEquals(413, jsonBody(r).get("status").asInt(), r);
        byte[] small = "{}".getBytes(StandardCharsets.UTF_8);
        String ok = exchange("POST /1.0/echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n"
                + "Connection: close\r\n\r\n", small);
        assertTrue(ok.startsWith("HTTP/1.1 100 Continue") && ok.contains("HTTP/1.1 200"), ok);
    }

    @Test
    void aTextReplyKeepsItsContentType() throws IOException {
        String r = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", new byte[0]);
        assertTrue(r.startsWith("HTTP/1.1 200"), r);
        assertTrue(r.toLowerCase().contains("content-type: text/plain; version=0.0.4"), r);
        assertTrue(r.endsWith("up 1\n"), r);
    }
}
