package io.godwit.migrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The middleware in front of the router, without sockets: ids, access log, version, errors, body limit. */
class RequestPathTest {
    private final List<String> accessLines = new ArrayList<>();
    private final Logger access = Logger.getLogger("io.godwit.access");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel() == Level.INFO) {
                accessLines.add(r.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Endpoint api = RequestPath.around(new Router()
            .add("GET", "/1.0/things/{name}", r -> Map.of("name", r.param("name")))
            .add("POST", "/1.0/things", r -> Reply.created(Map.of()))
            .add("GET", "/1.0/bad", r -> {
                throw new IllegalArgumentException("no good");
            })
            .add("GET", "/1.0/broken", r -> {
                throw new java.io.IOException("disk on fire");
            })
            .add("GET", "/1.0/long", r -> {
                throw new ApiException(409, "x".repeat(100_000) + " CRIU said: the end");
            }));

    @BeforeEach
    void listen() {
        access.addHandler(capture);
    }

    @AfterEach
    void stop() {
        access.removeHandler(capture);
    }

    private static Call call(String method, String uri, Map<String, String> headers) {
        return new Call(method, uri, headers, new byte[0], Caller.unix(1000, 42), -1, null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> body(Answer a) {
        return (Map<String, Object>) a.body();
    }

    @Test
    void aRequestIdIsMadeEchoedAndLogged() throws Exception {
        Answer a = api.serve(call("GET", "/1.0/things/t1", Map.of()));
        assertEquals(200, a.status());
        String id = a.headers().get("X-Request-Id");
        assertTrue(id != null && id.matches("[0-9a-f]{16}"), "generated id: " + id);
        assertEquals(1, accessLines.size());
        String line = accessLines.get(0);
        assertTrue(line.contains("unix uid 1000 pid 42") && line.contains("\"GET /1.0/things/t1\" 200")
                && line.endsWith("req " + id), line);
        String other = api.serve(call("GET", "/1.0/things/t1", Map.of())).headers().get("X-Request-Id");
        assertNotEquals(id, other, "each call its own id");
    }

    @Test
    void theClientsRequestIdIsKeptWhenSaneAndReplacedWhenNot() throws Exception {
        Answer a = api.serve(call("GET", "/1.0/nope", Map.of("x-request-id", "ci-run-7.step:3")));
        assertEquals("ci-run-7.step:3", a.headers().get("X-Request-Id"));
        assertEquals("ci-run-7.step:3", body(a).get("requestId"), "the id is in the error body too");
        Answer b = api.serve(call("GET", "/1.0/things/x", Map.of("x-request-id", "evil\r\nSet-Cookie: y")));
        assertTrue(b.headers().get("X-Request-Id").matches("[0-9a-f]{16}"), b.headers().toString());
    }

    @Test
    void errorsHaveOneShapeAndTheRightStatus() throws Exception {
        Answer notFound = api.serve(call("GET", "/1.0/nope", Map.of()));
        assertEquals(404, notFound.status());
        assertEquals(404, body(notFound).get("status"));
        assertEquals("no such endpoint: /1.0/nope", body(notFound).get("error"));
        assertEquals(405, api.serve(call("DELETE", "/1.0/things/a", Map.of())).status());
        assertEquals(400, api.serve(call("GET", "/1.0/bad", Map.of())).status());
        Answer broken = api.serve(call("GET", "/1.0/broken", Map.of()));
        assertEquals(500, broken.status());
        assertEquals("disk on fire", body(broken).get("error"));
        assertTrue(accessLines.stream().anyMatch(l -> l.contains("\"GET /1.0/broken\" 500")), accessLines.toString());
    }

    @Test
    void aHugeErrorIsCutInTheMiddleKeepingItsEnd() throws Exception {
        String error = (String) body(api.serve(call("GET", "/1.0/long", Map.of()))).get("error");
        assertTrue(error.length() < ErrorReplies.MAX_MESSAGE + 100, "length " + error.length());
        assertTrue(error.startsWith("xxx") && error.endsWith("CRIU said: the end") && error.contains("characters cut"));
    }

    @Test
    void everyAnswerSaysTheApiVersionAndAnotherMajorIsRefused() throws Exception {
        assertEquals(ApiVersion.CURRENT, api.serve(call("GET", "/1.0/things/a", Map.of())).headers().get("Godwit-Api-Version"));
        assertEquals(ApiVersion.CURRENT, api.serve(call("GET", "/1.0/nope", Map.of())).headers().get("Godwit-Api-Version"));
        assertEquals(200, api.serve(call("GET", "/1.0/things/a", Map.of("godwit-api-version", "1.3"))).status());
        Answer refused = api.serve(call("GET", "/1.0/things/a", Map.of("godwit-api-version", "2.0")));
        assertEquals(400, refused.status());
        assertTrue(((String) body(refused).get("error")).contains("speaks API 1.0"), refused.toString());
    }

    @Test
    void aBodyOverTheLimitIsA413InTheErrorShape() throws Exception {
        Call big = new Call("POST", "/1.0/things", Map.of(), new byte[0], Caller.tls("sha256:ab", "alice"),
                50L * 1024 * 1024, null);
        Answer a = api.serve(big);
        assertEquals(413, a.status());
        assertEquals(413, body(a).get("status"));
        assertTrue(((String) body(a).get("error")).contains("52428800 bytes is larger than the limit of 4 MiB"), a.toString());
        assertTrue(accessLines.get(0).startsWith("tls cert alice sha256:ab \"POST /1.0/things\" 413"), accessLines.get(0));
    }
}
