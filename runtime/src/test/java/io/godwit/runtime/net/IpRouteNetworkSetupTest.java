package io.godwit.runtime.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.runtime.HostCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real network namespace (unshare --net), a real bridge of this test only, and one ping. */
class IpRouteNetworkSetupTest {

    private final IpRouteNetworkSetup setup = new IpRouteNetworkSetup();
    private String bridge;
    private String containerName;
    private String subnet;
    private Process netns;

    @BeforeEach
    void setUp() throws IOException {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        bridge = "gwtest" + id.substring(0, 6);
        containerName = "nettest-" + id;
        // a /24 from 10.200.0.0/13 that is not routed here yet
        int third = ThreadLocalRandom.current().nextInt(0, 2048);
        subnet = "10." + (200 + third / 256) + "." + (third % 256);
        netns = new ProcessBuilder("unshare", "--net", "--fork", "sleep", "60").start();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            IpRouteNetworkSetup.tryIp("link", "del", IpRouteNetworkSetup.hostIfName(containerName));
            setup.removeBridge(bridge);
        } finally {
            netns.descendants().forEach(ProcessHandle::destroyForcibly);
            netns.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private int netnsPid() throws Exception {
        // unshare --net unshares in itself before forking, so its own pid is in the new namespace.
        Path ns = Path.of("/proc", Long.toString(netns.pid()), "ns/net");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Files.readSymbolicLink(ns).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")))) {
            assertTrue(System.nanoTime() < deadline, "unshare did not make a network namespace");
            Thread.sleep(10);
        }
        return (int) netns.pid();
    }

    @Test
    void attachesAContainerThatAnswersPingAndDetaches() throws Exception {
        int pid = netnsPid();
        BridgeConfig config = new BridgeConfig(bridge, subnet + ".2/24", subnet + ".1");
        BridgeAttachment a = setup.attach(containerName, pid, config);
        assertEquals(IpRouteNetworkSetup.hostIfName(containerName), a.hostIf());
        assertTrue(a.hostIf().length() <= 15);
        assertEquals("eth0", a.containerIf());
        assertEquals(bridge, a.bridge());

        assertTrue(IpRouteNetworkSetup.ip("-o", "link", "show", "dev", a.hostIf()).contains("master " + bridge));
        assertTrue(IpRouteNetworkSetup.ipIn(pid, "-o", "-4", "addr", "show", "dev", "eth0").contains(subnet + ".2/24"));
        assertTrue(IpRouteNetworkSetup.ipIn(pid, "route").contains("default via " + subnet + ".1"));
        assertTrue(IpRouteNetworkSetup.ipIn(pid, "-o", "link", "show", "dev", "lo").contains("UP"));

        HostCommand.Result ping = HostCommand.attempt(List.of(busybox(), "ping", "-c1", "-W1", subnet + ".2"),
                Duration.ofSeconds(30));
        assertTrue(ping.ok(), "ping failed: " + ping.stdout() + ping.stderr());

        // a second container on the same bridge reuses it
        setup.detach(a);
        assertFalse(IpRouteNetworkSetup.tryIp("link", "show", "dev", a.hostIf()).ok());
        assertFalse(IpRouteNetworkSetup.ipIn(pid, "-o", "link").contains("eth0"), "the pair dies with its host end");
        setup.detach(a); // twice is fine
        BridgeAttachment again = setup.attach(containerName, pid, config);
        assertEquals(a, again);
        setup.detach(again);
    }

    @Test
    void failuresCarryIpsMessageAndLeaveNoVeth() throws Exception {
        BridgeConfig config = new BridgeConfig(bridge, subnet + ".2/24", subnet + ".1");
        IOException e = assertThrows(IOException.class, () -> setup.attach(containerName, 999_999_999, config));
        assertTrue(e.getMessage().contains("ip link set"), e.getMessage());
        assertFalse(IpRouteNetworkSetup.tryIp("link", "show", "dev", IpRouteNetworkSetup.hostIfName(containerName)).ok());
        assertThrows(IllegalArgumentException.class,
                () -> setup.attach(containerName, 1, new BridgeConfig("a-bridge-name-too-long", "10.0.0.2/24", "10.0.0.1")));
        assertThrows(IllegalArgumentException.class,
                () -> setup.attach(containerName, 1, new BridgeConfig(bridge, "10.0.0.2", "10.0.0.1")));
    }

    private static String busybox() {
        Path testfs = Path.of(System.getProperty("godwit.testfs", "build/testfs"), "rootfs/bin/busybox");
        return Files.exists(testfs) ? testfs.toString() : "/bin/busybox";
    }
}
