package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A real Unix-socket HTTP server that replays canned answers, one route at a time: enough to
 * test the client's wire handling and the CLI's reactions without a daemon. The last reply of
 * a route repeats, so "running, running, success" scripts an operation being polled.
 */
final class FakeDaemon implements AutoCloseable {
    record Request(String method, String path, Map<String, String> headers, String body) {
        JsonNode json() {
            try {
                return DaemonClient.json().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("request body is not JSON: " + body, e);
            }
        }
    }

    /** A canned answer; with chunks, sent with Transfer-Encoding: chunked, one write per chunk. */
    record Reply(int status, String contentType, String body, List<String> chunks) {
        static Reply json(int status, String body) {
            return new Reply(status, "application/json", body, null);
        }

        static Reply json(String body) {
            return json(200, body);
        }

        static Reply error(int status, String message) {
            return json(status, "{\"error\": \"" + message + "\", \"status\": " + status + "}");
        }

        static Reply chunked(String contentType, String... chunks) {
            return new Reply(200, contentType, null, List.of(chunks));
        }
    }

    private final Path dir;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Map<String, Deque<Reply>> routes = new HashMap<>();
    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Thread acceptor;

    FakeDaemon() throws IOException {
        // Short path: Unix socket paths are limited to about 108 bytes.
        dir = Files.createTempDirectory("gwcli");
        socket = dir.resolve("d.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        acceptor = Thread.ofVirtual().start(this::acceptLoop);
    }

    Path socket() {
        return socket;
    }

    synchronized FakeDaemon on(String method, String path, Reply... replies) {
        routes.put(method + " " + path, new ArrayDeque<>(List.of(replies)));
        return this;
    }

    List<Request> requests(String method, String path) {
        synchronized (requests) {
            return requests.stream().filter(r -> r.method().equals(method)
                    && (r.path().equals(path) || withoutQuery(r.path()).equals(path))).toList();
        }
    }

    private synchronized Reply next(String method, String path) {
        Deque<Reply> q = routes.getOrDefault(method + " " + path, routes.get(method + " " + withoutQuery(path)));
        if (q == null || q.isEmpty()) {
            return Reply.error(404, "fake: no route " + method + " " + path);
        }
        return q.size() > 1 ? q.poll() : q.peek();
    }

    /** A route registered without a query answers a request with any query. */
    private static String withoutQuery(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                Thread.ofVirtual().start(() -> serve(ch));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(SocketChannel ch) {
        try (ch) {
            InputStream in = new BufferedInputStream(Channels.newInputStream(ch));
            OutputStream out = Channels.newOutputStream(ch);
            String requestLine = HttpWire.readLine(in);
            if (requestLine == null) {
                return;
            }
            String[] parts = requestLine.split(" ");
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = HttpWire.readLine(in); h != null && !h.isEmpty(); h = HttpWire.readLine(in)) {
                int c = h.indexOf(':');
                headers.put(h.substring(0, c).trim().toLowerCase(Locale.ROOT), h.substring(c + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            requests.add(new Request(parts[0], parts[1], headers, body));
            Reply r = next(parts[0], parts[1]);
            StringBuilder head = new StringBuilder("HTTP/1.1 " + r.status() + " Whatever\r\n");
            head.append("Content-Type: ").append(r.contentType()).append("\r\n");
            byte[] bytes = r.body() == null ? null : r.body().getBytes(StandardCharsets.UTF_8);
            if (bytes != null) {
                head.append("Content-Length: ").append(bytes.length).append("\r\n");
            } else {
                head.append("Transfer-Encoding: chunked\r\n");
            }
            head.append("Connection: close\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            if (bytes != null) {
                out.write(bytes);
            } else {
                for (String chunk : r.chunks()) {
                    byte[] c = chunk.getBytes(StandardCharsets.UTF_8);
                    out.write((Integer.toHexString(c.length) + ";ext=1\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(c);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
        } catch (IOException e) {
            // the client went away; nothing to do in a fake
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
        Files.deleteIfExists(socket);
        Files.deleteIfExists(dir);
    }
}
