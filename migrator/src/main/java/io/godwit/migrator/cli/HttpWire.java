package io.godwit.migrator.cli;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The few pieces of HTTP/1.1 the client needs. Hand-written because the JDK's HttpClient
 * cannot speak over a Unix domain socket; every request uses {@code Connection: close}, so
 * there is no connection reuse or pipelining to get right.
 */
final class HttpWire {
    private HttpWire() {}

    /** The start of a response: everything before the body. */
    record Head(int status, String reason, Map<String, String> headers) {}

    static void writeRequest(OutputStream out, String method, String path, String contentType, byte[] body)
            throws IOException {
        writeRequest(out, method, path, contentType, body, null);
    }

    /** With upgradeTo: asks to turn the connection into that protocol (101) instead of closing it after the answer. */
    static void writeRequest(OutputStream out, String method, String path, String contentType, byte[] body,
            String upgradeTo) throws IOException {
        StringBuilder sb = new StringBuilder(256);
        sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        // Host is mandatory in HTTP/1.1 even though a Unix socket has no host name.
        sb.append("Host: godwitd\r\n");
        sb.append("User-Agent: godwit-cli\r\n");
        sb.append("Accept: application/json, text/plain, application/x-ndjson\r\n");
        if (body != null) {
            sb.append("Content-Type: ").append(contentType).append("\r\n");
        }
        // Servers may refuse a POST or PUT without a length (411), so send 0 for an empty one.
        if (body != null || method.equals("POST") || method.equals("PUT")) {
            sb.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n");
        }
        if (upgradeTo != null) {
            sb.append("Connection: Upgrade\r\nUpgrade: ").append(upgradeTo).append("\r\n\r\n");
        } else {
            sb.append("Connection: close\r\n\r\n");
        }
        out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
        if (body != null) {
            out.write(body);
        }
        out.flush();
    }

    static Head readHead(InputStream in) throws IOException {
        String statusLine = readLine(in);
        if (statusLine == null) {
            throw new EOFException("godwitd closed the connection without answering");
        }
        // "HTTP/1.1 404 Not Found": the reason phrase is optional and may contain spaces.
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: " + abbreviate(statusLine));
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("bad HTTP status line: " + abbreviate(statusLine));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(in); ; line = readLine(in)) {
            if (line == null) {
                throw new EOFException("connection closed inside the response headers");
            }
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                headers.merge(name, value, (a, b) -> a + ", " + b);
            }
        }
        return new Head(status, parts.length > 2 ? parts[2] : "", headers);
    }

    /** The body as a stream that ends where the body ends, whichever framing the server chose. */
    static InputStream body(Head head, String method, InputStream in) {
        if (method.equals("HEAD") || head.status() == 204 || head.status() == 304
                || (head.status() >= 100 && head.status() < 200)) {
            return InputStream.nullInputStream();
        }
        String te = head.headers().getOrDefault("transfer-encoding", "");
        if (te.toLowerCase(Locale.ROOT).contains("chunked")) {
            return new ChunkedInputStream(in);
        }
        String length = head.headers().get("content-length");
        if (length != null) {
            try {
                return new BoundedInputStream(in, Long.parseLong(length.trim()));
            } catch (NumberFormatException e) {
                // fall through: read until the server closes, which Connection: close promises
            }
        }
        return in;
    }

    /** Reads one CRLF- (or LF-) terminated line as ISO-8859-1; null at end of stream. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(80);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] b = buf.toByteArray();
                int n = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                return new String(b, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (buf.size() > 64 * 1024) {
                throw new IOException("HTTP line longer than 64 KiB");
            }
            buf.write(c);
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** Exactly {@code remaining} bytes, then end of stream. */
    static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int c = in.read();
            if (c == -1) {
                throw new EOFException("body shorter than its Content-Length");
            }
            remaining--;
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n == -1) {
                throw new EOFException("body shorter than its Content-Length");
            }
            remaining -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * Decodes {@code Transfer-Encoding: chunked} as it arrives, so that endless streams (logs
     * with follow, events) can be read line by line while the daemon is still writing.
     */
    static final class ChunkedInputStream extends InputStream {
        private final InputStream in;
        private long chunkLeft;
        private boolean done;

        ChunkedInputStream(InputStream in) {
            this.in = in;
        }

        /** Positions at the next data byte; false at the final (zero-size) chunk. */
        private boolean ensureChunk() throws IOException {
            if (done) {
                return false;
            }
            if (chunkLeft > 0) {
                return true;
            }
            String sizeLine = readLine(in);
            if (sizeLine == null) {
                throw new EOFException("connection closed inside a chunked body");
            }
            if (sizeLine.isEmpty()) { // the CRLF that ends the previous chunk's data
                sizeLine = readLine(in);
                if (sizeLine == null) {
                    throw new EOFException("connection closed inside a chunked body");
                }
            }
            int semi = sizeLine.indexOf(';'); // chunk extensions are allowed and meaningless here
            String hex = (semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim();
            try {
                chunkLeft = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size: " + hex);
            }
            if (chunkLeft < 0) {
                throw new IOException("bad chunk size: " + hex);
            }
            if (chunkLeft == 0) {
                // Trailers, if any, end with an empty line; a server that just closes is fine too.
                for (String t = readLine(in); t != null && !t.isEmpty(); t = readLine(in)) {
                    // ignored
                }
                done = true;
                return false;
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            if (!ensureChunk()) {
                return -1;
            }
            int c = in.read();
            if (c == -1) {
                throw new EOFException("connection closed inside a chunk");
            }
            chunkLeft--;
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!ensureChunk()) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, chunkLeft));
            if (n == -1) {
                throw new EOFException("connection closed inside a chunk");
            }
            chunkLeft -= n;
            return n;
        }

        @Override
        public int available() throws IOException {
            return done ? 0 : (int) Math.min(chunkLeft, in.available());
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
