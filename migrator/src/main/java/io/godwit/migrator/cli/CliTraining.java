package io.godwit.migrator.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The workload the JVM records to build the CLI's class-data sharing archive (scripts/build):
 * it runs the commands people type most, through the real parsing, HTTP and table code, against
 * a stand-in for godwitd on a private Unix socket that answers every request with one small
 * container list. The classes these runs load are what later {@code godwit} commands find
 * parsed and verified in the archive. Nothing here is used at run time.
 */
public final class CliTraining {
    private static final String CONTAINERS = """
            [{"name":"c1","status":"RUNNING","pid":4242,"image":"busybox","createdAt":"2026-01-01T00:00:00Z",
              "spec":{"image":"busybox","command":["sleep","1"],"network":{"mode":"none","address":null},
                      "limits":{"memoryBytes":0,"cpuMillis":0,"pids":0}}}]""";

    private CliTraining() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("godwit-cli-training",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path socket = dir.resolve("godwitd.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread answering = Thread.ofPlatform().daemon().start(() -> answerAll(server));
            String s = socket.toString();
            String[][] commands = {
                {"--help"}, {"list", "--help"}, {"--socket", s, "list"}, {"--socket", s, "list", "--format", "json"},
                {"--socket", s, "ls"}, {"--socket", s, "image", "list"}, {"--socket", s, "checkpoints", "c1"},
            };
            PrintWriter sink = new PrintWriter(Writer.nullWriter());
            for (int round = 0; round < 3; round++) {
                for (String[] command : commands) {
                    GodwitCli.execute(new GodwitCli(), sink, sink, command);
                }
            }
            answering.interrupt();
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    /** Answers each connection with the same JSON list; the CLI sends Connection: close. */
    private static void answerAll(ServerSocketChannel server) {
        byte[] body = CONTAINERS.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                InputStream in = Channels.newInputStream(ch);
                skipRequestHead(in);
                OutputStream out = Channels.newOutputStream(ch);
                out.write(head);
                out.write(body);
                out.flush();
            } catch (IOException e) {
                return; // the socket was closed: training is over
            }
        }
    }

    private static void skipRequestHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b; matched < end.length && (b = in.read()) >= 0; ) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }
}
