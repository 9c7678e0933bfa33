package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What end-to-end tests do to the containers of one daemon, whichever way it was started: import the
 * test rootfs, launch the counter, read it, wait for it to move on, and delete everything at the end.
 */
final class TestContainers {
    private TestContainers() {
    }

    /** Imports the test rootfs (busybox, counter, memwriter) as image "busybox". */
    static void importBusybox(DaemonClient api) throws IOException {
        ApiResponse img = api.post("/1.0/images", Map.of("alias", "busybox",
                "path", Path.of(System.getProperty("godwit.testfs"), "rootfs").toString()));
        assertEquals(201, img.status(), img.body());
    }

    /** Launches the counter (writes /tmp/count every 50 ms) as name. */
    static void launchCounter(DaemonClient api, String name) throws IOException {
        ApiResponse r = api.send("POST", "/1.0/containers", Map.of("name", name,
                "spec", Map.of("image", "busybox", "command", List.of("/bin/counter", "50"))));
        assertEquals(201, r.status(), r.body());
    }

    /** The counter's value, read inside the container. */
    static long count(DaemonClient api, String name) throws IOException {
        ApiResponse r = api.post("/1.0/containers/" + name + "/exec", Map.of("command", List.of("cat", "/tmp/count")));
        assertEquals(0, r.json().path("exitCode").asInt(-1), r.body());
        return Long.parseLong(r.json().get("output").asText().strip());
    }

    /** Waits (at most about 30 s) until the counter in name is past floor; returns the value seen. */
    static long awaitCountAbove(DaemonClient api, String name, long floor) throws Exception {
        for (int i = 0; i < 300; i++) {
            long c = count(api, name);
            if (c > floor) {
                return c;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " stopped counting at " + count(api, name) + " (expected > " + floor + ")");
    }

    /** Waits until the counter in name moves on from what it shows now. */
    static long awaitCounting(DaemonClient api, String name) throws Exception {
        return awaitCountAbove(api, name, count(api, name));
    }

    /** Deletes (forcibly) every container the daemon has. */
    static void deleteAll(DaemonClient api) throws IOException {
        for (JsonNode c : api.get("/1.0/containers").json()) {
            api.send("DELETE", "/1.0/containers/" + c.get("name").asText() + "?force=true", null);
        }
    }
}
