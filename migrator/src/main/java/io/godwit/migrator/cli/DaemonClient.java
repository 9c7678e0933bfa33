package io.godwit.migrator.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A small client for godwitd's REST API over its Unix socket: one connection per request,
 * JSON in and out. Used by the CLI and by the end-to-end tests.
 *
 * <p>{@link #get}, {@link #post}, {@link #put} and {@link #delete} throw {@link ApiException}
 * when the daemon answers with an error status; {@link #send} returns every answer as is, for
 * callers that want to look at error statuses themselves.
 */
public final class DaemonClient {
    public static final Path DEFAULT_SOCKET = Path.of("/run/godwit/godwit.sock");
    /** How often {@link #waitOperation} asks the daemon; fast enough for a smooth progress bar. */
    /** How often a progress bar is brought up to date while an operation runs. */
    public static final Duration PROGRESS_INTERVAL = Duration.ofMillis(250);
    /** One wait's length without a progress bar: a dead daemon is noticed within it. */
    static final Duration LONGEST_WAIT = Duration.ofSeconds(30);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One connection to the daemon: its streams, closed together. */
    interface Conn extends Closeable {
        InputStream in() throws IOException;

        OutputStream out() throws IOException;
    }

    /** Opens connections to the daemon: its Unix socket, or its TLS port. */
    @FunctionalInterface
    interface Connector {
        Conn open() throws IOException;
    }

    private final Path socket;
    private final Connector connector;

    private volatile Consumer<String> trace;

    public DaemonClient(Path socket) {
        this.socket = socket;
        this.connector = this::connectUnix;
    }

    private DaemonClient(Path socket, Connector connector) {
        this.socket = socket;
        this.connector = connector;
    }

    /**
     * A client of a remote daemon's API over HTTPS: mutual TLS with ssl (which presents our
     * certificate and pins the remote's), ALPN http/1.1. address is HOST:PORT.
     */
    public static DaemonClient overTls(String address, javax.net.ssl.SSLContext ssl) {
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        int port = Integer.parseInt(address.substring(colon + 1));
        return new DaemonClient(null, () -> {
            javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ssl.getSocketFactory().createSocket();
            try {
                javax.net.ssl.SSLParameters params = s.getSSLParameters();
                params.setApplicationProtocols(new String[] {"http/1.1"});
                s.setSSLParameters(params);
                s.connect(new java.net.InetSocketAddress(host, port), 10_000);
                s.startHandshake();
            } catch (IOException e) {
                s.close();
                throw new IOException("cannot reach the remote daemon at " + address + ": " + e.getMessage(), e);
            }
            return new Conn() {
                public InputStream in() throws IOException {
                    return s.getInputStream();
                }

                public OutputStream out() throws IOException {
                    return s.getOutputStream();
                }

                public void close() throws IOException {
                    s.close();
                }
            };
        });
    }

    /** The socket named by {@code GODWIT_SOCKET}, else {@link #DEFAULT_SOCKET}. */
    public static DaemonClient fromEnvironment() {
        String env = System.getenv("GODWIT_SOCKET");
        return new DaemonClient(env == null || env.isBlank() ? DEFAULT_SOCKET : Path.of(env));
    }

    public Path socket() {
        return socket;
    }

    /** The mapper used for bodies; shared so callers build request bodies the same way. */
    public static ObjectMapper json() {
        return JSON;
    }

    /** Encodes one path segment, so a name can never change which endpoint is called. */
    public static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public ApiResponse get(String path) throws IOException {
        return checked(send("GET", path, null));
    }

    public ApiResponse post(String path, Object jsonBody) throws IOException {
        return checked(send("POST", path, jsonBody));
    }

    public ApiResponse put(String path, Object jsonBody) throws IOException {
        return checked(send("PUT", path, jsonBody));
    }

    public ApiResponse delete(String path) throws IOException {
        return checked(send("DELETE", path, null));
    }

    /**
     * Sends one request and returns the answer whatever its status.
     *
     * @param jsonBody null for no body; a String is sent as already-encoded JSON; anything
     *                 else (JsonNode, Map, record) is serialised with Jackson
     */
    public ApiResponse send(String method, String path, Object jsonBody) throws IOException {
        byte[] body = encode(jsonBody);
        long start = System.nanoTime();
        try (Conn ch = connector.open()) {
            InputStream in = new BufferedInputStream(ch.in(), 16 * 1024);
            OutputStream out = new BufferedOutputStream(ch.out(), 16 * 1024);
            HttpWire.writeRequest(out, method, path, "application/json", body);
            HttpWire.Head head = HttpWire.readHead(in);
            byte[] bytes = HttpWire.body(head, method, in).readAllBytes();
            String text = new String(bytes, StandardCharsets.UTF_8);
            trace(method, path, head, start);
            return new ApiResponse(head.status(), head.headers(), text, parse(head, text));
        }
    }

    /** With --debug: each call on one line, with the request id to find it in the daemon's access log. */
    public void trace(Consumer<String> sink) {
        this.trace = sink;
    }

    private void trace(String method, String path, HttpWire.Head head, long startNanos) {
        Consumer<String> t = trace;
        if (t != null) {
            String id = head.headers().get("x-request-id");
            t.accept(method + " " + path + " -> " + head.status() + " in " + (System.nanoTime() - startNanos) / 1_000_000
                    + " ms" + (id == null ? "" : " (request " + id + ")"));
        }
    }

    /**
     * Opens an endless (or long) response and hands it back line by line: for
     * {@code /logs?follow=true} and {@code /events}. Close the stream to stop.
     */
    public LineStream stream(String path) throws IOException {
        return stream("GET", path, null);
    }

    /** The same for a request with a JSON body: {@code POST /exec?stream=true}. */
    public LineStream stream(String method, String path, Object jsonBody) throws IOException {
        Conn ch = connector.open();
        try {
            InputStream in = new BufferedInputStream(ch.in(), 16 * 1024);
            OutputStream out = new BufferedOutputStream(ch.out(), 1024);
            long start = System.nanoTime();
            HttpWire.writeRequest(out, method, path, jsonBody == null ? null : "application/json",
                    encode(jsonBody));
            HttpWire.Head head = HttpWire.readHead(in);
            trace(method, path, head, start);
            InputStream body = HttpWire.body(head, method, in);
            if (head.status() >= 400) {
                String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
                throw toException(new ApiResponse(head.status(), head.headers(), text, parse(head, text)));
            }
            return new LineStream(ch, body);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** A connection turned into another protocol (101): its streams, closed together. */
    public record Upgraded(Conn conn, InputStream in, OutputStream out) implements Closeable {
        @Override
        public void close() throws IOException {
            conn.close();
        }
    }

    /**
     * Sends a request that asks to turn the connection into protocol (an attached exec: {@link
     * ExecFrames}); returns the raw streams once the daemon switched, or throws its error answer.
     */
    public Upgraded upgrade(String method, String path, Object jsonBody, String protocol) throws IOException {
        Conn ch = connector.open();
        try {
            InputStream in = new BufferedInputStream(ch.in(), 16 * 1024);
            OutputStream out = new BufferedOutputStream(ch.out(), 16 * 1024);
            long start = System.nanoTime();
            HttpWire.writeRequest(out, method, path, "application/json", encode(jsonBody), protocol);
            HttpWire.Head head = HttpWire.readHead(in);
            trace(method, path, head, start);
            if (head.status() != 101) {
                InputStream body = HttpWire.body(head, method, in);
                String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
                ApiResponse r = new ApiResponse(head.status(), head.headers(), text, parse(head, text));
                if (head.status() >= 400) {
                    throw toException(r);
                }
                throw new IOException("the daemon answered " + head.status() + ", not 101, to " + path);
            }
            return new Upgraded(ch, in, out);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Waits for an operation until it is no longer running; see {@link #waitOperation(String, Duration, Consumer)}. */
    public JsonNode waitOperation(String id, Consumer<JsonNode> progress) throws IOException {
        return waitOperation(id, null, progress);
    }

    /**
     * Waits on {@code GET /1.0/operations/{id}/wait} until the operation is no longer
     * {@code running}, and returns the last answer (success, failure or cancelled). The daemon
     * answers the moment the operation ends; with a progress consumer each wait is cut at
     * {@link #PROGRESS_INTERVAL} so that a progress bar still moves.
     *
     * @param timeout  null to wait for ever; otherwise the operation is returned still running
     *                 when the time is up
     * @param progress called with every answer, the last one included; may be null
     */
    public JsonNode waitOperation(String id, Duration timeout, Consumer<JsonNode> progress) throws IOException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        long slice = (progress != null ? PROGRESS_INTERVAL : LONGEST_WAIT).toMillis();
        while (true) {
            long left = Math.max(0, deadline - System.nanoTime());
            long millis = Math.min(slice, Duration.ofNanos(left).toMillis());
            JsonNode op = get("/1.0/operations/" + seg(id) + "/wait?timeoutMillis=" + millis).json();
            if (progress != null) {
                progress.accept(op);
            }
            if (!isRunning(op) || System.nanoTime() >= deadline) {
                return op;
            }
            if (Thread.interrupted()) {
                throw new InterruptedIOException("interrupted while waiting for operation " + id);
            }
        }
    }

    /** An operation is running until the daemon says otherwise (an absent status included). */
    public static boolean isRunning(JsonNode op) {
        String s = op.path("status").asText("running").toLowerCase(Locale.ROOT);
        return s.equals("running") || s.equals("pending") || s.isEmpty();
    }

    private Conn connectUnix() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw new DaemonUnreachableException(socket, e);
        }
        return new Conn() {
            public InputStream in() {
                return Channels.newInputStream(ch);
            }

            public OutputStream out() {
                return Channels.newOutputStream(ch);
            }

            public void close() throws IOException {
                ch.close();
            }
        };
    }

    private static byte[] encode(Object body) throws JsonProcessingException {
        if (body == null) {
            return null;
        }
        if (body instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        return JSON.writeValueAsBytes(body);
    }

    private static JsonNode parse(HttpWire.Head head, String text) {
        String type = head.headers().getOrDefault("content-type", "");
        String t = text.stripLeading();
        boolean looksJson = type.contains("json") || t.startsWith("{") || t.startsWith("[");
        if (t.isEmpty() || !looksJson) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // A body that claims to be JSON but is not stays available as text.
            return MissingNode.getInstance();
        }
    }

    private static ApiResponse checked(ApiResponse r) {
        if (r.status() >= 400) {
            throw toException(r);
        }
        return r;
    }

    private static ApiException toException(ApiResponse r) {
        String msg = r.json().path("error").asText("");
        if (msg.isBlank()) {
            msg = r.body().isBlank() ? "HTTP " + r.status() : r.body().strip();
        }
        return new ApiException(r.status(), msg);
    }

    /** Lines of a streamed response, read as they arrive. */
    public static final class LineStream implements Closeable {
        private final Closeable channel;
        private final InputStream body;

        LineStream(Closeable channel, InputStream body) {
            this.channel = channel;
            this.body = body;
        }

        /** The next line without its end of line, or null when the daemon ends the stream. */
        public String readLine() throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
            int c;
            while ((c = body.read()) != -1) {
                if (c == '\n') {
                    String s = buf.toString(StandardCharsets.UTF_8);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                buf.write(c);
            }
            return buf.size() == 0 ? null : buf.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** Builds a JSON object body from alternating keys and values, skipping null values. */
    public static Map<String, Object> body(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put((String) kv[i], kv[i + 1]);
            }
        }
        return m;
    }
}
