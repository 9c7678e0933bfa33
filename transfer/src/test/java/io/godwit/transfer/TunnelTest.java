package io.godwit.transfer;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.*;

class TunnelTest {
    @Test
    void tunnelCarriesBytesBothWays() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             Fixture f = new Fixture(null, true); PeerSession s = f.connect()) {
            Thread.ofPlatform().daemon().start(() -> {
                while (!echo.isClosed()) {
                    try {
                        Socket c = echo.accept();
                        Thread.ofPlatform().daemon().start(() -> {
                            try (c) { c.getInputStream().transferTo(c.getOutputStream()); } catch (Exception ignored) { }
                        });
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            f.service.tunnelTarget = new TunnelTarget("127.0.0.1", echo.getLocalPort());
            try (Tunnel t = s.openTunnel("page-server")) {
                for (int round = 0; round < 2; round++) { // two streams through the same tunnel
                    byte[] data = new byte[8 << 20];
                    new Random(round).nextBytes(data);
                    try (Socket c = new Socket()) {
                        c.connect(new InetSocketAddress("127.0.0.1", t.localAddress().getPort()), 5000);
                        c.setSoTimeout(20_000);
                        OutputStream out = c.getOutputStream();
                        CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
                            try { out.write(data); out.flush(); } catch (Exception e) { throw new RuntimeException(e); }
                        });
                        InputStream in = c.getInputStream();
                        byte[] back = in.readNBytes(data.length);
                        w.get();
                        assertTrue(Arrays.equals(data, back), "echoed bytes differ");
                    }
                }
            }
            assertTrue(f.service.seen.contains("tunnel page-server"));
            assertEquals(200, s.call("still-alive", "1".getBytes(), Duration.ofSeconds(5)).status());
        }
    }
}
