package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a new user sent the real daemon and got a 500, Jackson's text or an empty 413 for: each
 * answers 400 (or 413) in the API's error shape, in words, and changes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiValidationEndToEndTest {
    private TestDaemon node;
    private DaemonProcess daemon;
    private DaemonClient api;

    @BeforeAll
    void startDaemon() throws Exception {
        node = TestDaemon.inNewDir();
        node.start(java.util.List.of());
        daemon = node.process;
        api = daemon.client();
        TestContainers.importBusybox(api);
        ApiResponse c = api.post("/1.0/containers", Map.of("name", "steady",
                "spec", Map.of("image", "busybox", "command", List.of("/bin/sleep", "3600"))));
        assertEquals(201, c.status(), c.body());
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    /** A 400 in the documented shape whose error says {@code words} and no Java. */
    private static String refused(ApiResponse r, String words) {
        assertEquals(400, r.status(), r.body());
        assertEquals(400, r.json().get("status").asInt(), r.body());
        String error = r.json().get("error").asText();
        assertTrue(error.contains(words), error);
        assertFalse(error.contains("java.") || error.contains("Cannot deserialize") || error.contains("`"), error);
        assertTrue(r.json().get("requestId").asText().equals(r.header("X-Request-Id")), r.toString());
        return error;
    }

    private List<String> names() throws IOException {
        return api.get("/1.0/containers").json().findValuesAsText("name");
    }

    @Test
    void aPidsLimitNoHostCanHaveIsRefused() throws Exception {
        refused(api.send("POST", "/1.0/containers", Map.of("name", "many", "spec", Map.of("image", "busybox",
                "command", List.of("/bin/true"), "limits", Map.of("pids", 99999999999999L)))), "limits.pids");
        assertEquals(List.of("steady"), names());
    }

    @Test
    void aSignalThatDoesNotExistIsRefused() throws Exception {
        refused(api.send("POST", "/1.0/containers/steady/state", Map.of("action", "kill", "signal", 999)), "signal");
        assertEquals("RUNNING", api.get("/1.0/containers/steady").json().get("status").asText());
    }

    @Test
    void aNumberIsNotANameAndIsNotCoercedToOne() throws Exception {
        refused(api.send("POST", "/1.0/containers", "{\"name\": 123, \"spec\": {\"image\": \"busybox\", "
                + "\"command\": [\"/bin/true\"]}}"), "'name'");
        assertEquals(List.of("steady"), names());
    }

    @Test
    void aCommandGivenAsAStringIsRefusedInWords() throws Exception {
        refused(api.send("POST", "/1.0/containers/steady/exec", "{\"command\": \"/bin/true\"}"),
                "field 'command': expected a list, got a string");
        refused(api.send("POST", "/1.0/containers", "{\"name\": \"one\", \"spec\": {\"image\": \"busybox\", "
                + "\"command\": \"/bin/true\"}}"), "field 'command': expected a list, got a string");
        assertEquals(List.of("steady"), names());
    }

    @Test
    void procIsNotAnImageAndSaysSoAtOnce() throws Exception {
        ApiResponse r = api.send("POST", "/1.0/images", Map.of("alias", "proc", "path", "/proc"));
        String error = refused(r, "proc");
        assertTrue(error.length() < 1000, error);
        assertFalse(api.get("/1.0/images").body().contains("\"proc\""));
    }

    @Test
    void aFiftyMegabyteBodyGetsA413InTheErrorShape() throws Exception {
        byte[] big = new byte[50 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) ' ');
        String response;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(daemon.socket));
            OutputStream out = Channels.newOutputStream(ch);
            out.write(("POST /1.0/containers HTTP/1.1\r\nHost: godwitd\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + big.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            // The whole body, as a client would send it; the daemon may answer and close before it is all sent.
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    out.write(big);
                } catch (IOException closedByTheDaemon) {
                    // expected once the answer is out
                }
            });
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            Channels.newInputStream(ch).transferTo(got);
            response = got.toString(StandardCharsets.UTF_8);
            sender.join(java.time.Duration.ofSeconds(30));
        }
        assertTrue(response.startsWith("HTTP/1.1 413"), response);
        JsonNode body = DaemonClient.json().readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertEquals(413, body.get("status").asInt(), response);
        assertTrue(body.get("error").asText().contains("larger than the limit"), response);
        // and the daemon still answers
        assertEquals(200, api.get("/1.0").status());
    }

    @Test
    void everyCallIsInTheAccessLogWithItsCaller() throws Exception {
        ApiResponse r = api.get("/1.0/containers/steady");
        String id = r.header("X-Request-Id");
        assertEquals("1.0", r.header("Godwit-Api-Version"));
        String line = "";
        for (int i = 0; i < 50 && !line.contains(id); i++) { // the log is written by another process: bounded wait
            line = Files.readAllLines(daemon.log).stream().filter(l -> l.contains("req " + id)).findFirst().orElse("");
            if (!line.contains(id)) {
                Thread.sleep(100);
            }
        }
        assertTrue(line.contains("unix uid 0 pid ") && line.contains("\"GET /1.0/containers/steady\" 200"), line);
    }
}
