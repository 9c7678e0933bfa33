package io.godwit.tests;

import static io.godwit.tests.TestContainers.awaitCountAbove;
import static io.godwit.tests.TestContainers.count;
import static io.godwit.tests.TestContainers.importBusybox;
import static io.godwit.tests.TestContainers.launchCounter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two clients on one real godwitd at the same time, each with its own connections: one
 * checkpoints, stops and restores container A while the other launches, lists, stops and deletes
 * other containers; and both checkpoint the same container at the same instant, which must give
 * good checkpoints or a clear 409, never a failed dump, a frozen container or a damaged catalog.
 */
class ConcurrentClientsEndToEndTest {
    private TestDaemon node;
    private DaemonProcess daemon;
    private DaemonClient first;
    private DaemonClient second;
    private final ExecutorService clients = Executors.newFixedThreadPool(2);

    @BeforeEach
    void startDaemon() throws Exception {
        node = TestDaemon.inNewDir().start(List.of());
        daemon = node.process;
        first = node.client();
        second = node.client();
        importBusybox(first);
    }

    @AfterEach
    void cleanUp() throws Exception {
        clients.shutdownNow();
        clients.awaitTermination(30, TimeUnit.SECONDS);
        node.close();
    }

    private static String status(DaemonClient api, String name) throws Exception {
        return api.get("/1.0/containers/" + name).json().get("status").asText();
    }

    private static JsonNode finished(DaemonClient api, ApiResponse started) throws Exception {
        assertEquals(202, started.status(), started.body());
        return api.waitOperation(started.json().get("id").asText(), op -> { });
    }

    private static void assertSuccess(JsonNode op) {
        assertEquals("success", op.get("status").asText(), op.toString());
    }

    /** Runs both bodies at once (released together by a barrier) and rethrows the first failure. */
    private <T> List<T> atOnce(List<Callable<T>> bodies) throws Exception {
        CyclicBarrier go = new CyclicBarrier(bodies.size());
        List<Future<T>> running = new ArrayList<>();
        for (Callable<T> body : bodies) {
            running.add(clients.submit(() -> {
                go.await(30, TimeUnit.SECONDS);
                return body.call();
            }));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> f : running) {
            results.add(f.get(240, TimeUnit.SECONDS));
        }
        return results;
    }

    /** Ids of the checkpoint directories on disk: a half-written or orphaned one shows up here. */
    private Set<String> checkpointDirs() throws Exception {
        try (Stream<Path> s = Files.list(daemon.root.resolve("checkpoints"))) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static Set<String> ids(JsonNode list) {
        Set<String> out = new TreeSet<>();
        list.forEach(c -> out.add(c.get("id").asText()));
        return out;
    }

    @Test
    void oneClientCheckpointsAndRestoresWhileTheOtherManagesOtherContainers() throws Exception {
        launchCounter(first, "alpha");
        awaitCountAbove(first, "alpha", 5);

        Callable<Integer> checkpointer = () -> {
            for (int round = 0; round < 2; round++) {
                assertSuccess(finished(first, first.post("/1.0/containers/alpha/checkpoints", Map.of())));
                assertEquals("RUNNING", status(first, "alpha"), "a leave-running checkpoint");
                assertSuccess(finished(first, first.post("/1.0/containers/alpha/checkpoints", Map.of("stop", true))));
                assertEquals("STOPPED", status(first, "alpha"));
                long before = Long.parseLong(
                        Files.readString(daemon.root.resolve("containers/alpha/rootfs/tmp/count")).strip());
                assertSuccess(finished(first, first.post("/1.0/containers/alpha/restore", Map.of("latest", true))));
                assertEquals("RUNNING", status(first, "alpha"));
                long after = count(first, "alpha");
                assertTrue(after >= before, "restored alpha restarted from " + after + " < " + before);
                awaitCountAbove(first, "alpha", after);
            }
            return 4;
        };
        Callable<Integer> manager = () -> {
            int lists = 0;
            for (int i = 1; i <= 4; i++) {
                String b = "beta" + i;
                launchCounter(second, b);
                ApiResponse list = second.send("GET", "/1.0/containers", null);
                assertEquals(200, list.status(), "listing while alpha is checkpointed or restored: " + list.body());
                List<String> names = list.json().findValuesAsText("name");
                assertTrue(names.contains(b) && names.contains("alpha"), names.toString());
                lists++;
                assertEquals("RUNNING", status(second, b));
                awaitCountAbove(second, b, 0);
                JsonNode stopped = second.post("/1.0/containers/" + b + "/state",
                        Map.of("action", "stop", "timeoutSeconds", 2)).json();
                assertEquals("STOPPED", stopped.get("status").asText(), stopped.toString());
                assertEquals(200, second.send("DELETE", "/1.0/containers/" + b, null).status());
                assertEquals(404, second.send("GET", "/1.0/containers/" + b, null).status());
            }
            return lists;
        };
        assertEquals(List.of(4, 4), atOnce(List.of(checkpointer, manager)));

        assertEquals(List.of("alpha"), first.get("/1.0/containers").json().findValuesAsText("name"));
        JsonNode cps = first.get("/1.0/containers/alpha/checkpoints").json();
        assertEquals(4, cps.size(), cps.toString());
        assertEquals(ids(cps), checkpointDirs(), "catalog and checkpoint directories disagree");
        awaitCountAbove(second, "alpha", count(second, "alpha"));
    }

    @Test
    void twoCheckpointsOfOneContainerAtOnceGiveGoodCheckpointsOrAConflict() throws Exception {
        launchCounter(first, "gamma");
        awaitCountAbove(first, "gamma", 5);
        int good = 0;
        int conflicts = 0;
        for (int round = 0; round < 3; round++) {
            List<ApiResponse> answers = atOnce(List.<Callable<ApiResponse>>of(
                    () -> first.send("POST", "/1.0/containers/gamma/checkpoints", Map.of()),
                    () -> second.send("POST", "/1.0/containers/gamma/checkpoints", Map.of())));
            assertTrue(answers.stream().anyMatch(a -> a.status() == 202), "neither checkpoint started: " + answers);
            for (ApiResponse a : answers) {
                if (a.status() == 409) {
                    conflicts++;
                    assertTrue(a.json().path("error").asText().contains("gamma"), a.body());
                    continue;
                }
                // Started means it must succeed: a dump that fails because another ran is not allowed.
                assertSuccess(finished(first, a));
                good++;
            }
            assertEquals("RUNNING", status(first, "gamma"), "left frozen or stopped after round " + round);
        }
        assertEquals(6, good + conflicts);
        System.out.printf("6 simultaneous checkpoint requests: %d good checkpoints, %d conflicts%n", good, conflicts);
        // Still running for real, not frozen: it keeps counting.
        awaitCountAbove(second, "gamma", count(second, "gamma"));

        JsonNode cps = first.get("/1.0/containers/gamma/checkpoints").json();
        assertEquals(good, cps.size(), "every started checkpoint is listed, and nothing else: " + cps);
        assertEquals(ids(cps), checkpointDirs(), "catalog and checkpoint directories disagree");
        for (JsonNode cp : cps) {
            assertEquals("complete", cp.get("state").asText(), cp.toString());
        }
        // Each one restores: a clone from every checkpoint verifies its manifest and runs.
        int i = 0;
        for (String id : ids(cps)) {
            String clone = "clone" + (++i);
            JsonNode warm = finished(first, first.post("/1.0/containers", Map.of("name", clone,
                    "from", Map.of("container", "gamma", "checkpoint", id))));
            assertSuccess(warm);
            assertEquals("RUNNING", status(first, clone));
            awaitCountAbove(first, clone, count(first, clone));
            assertEquals(200, first.send("DELETE", "/1.0/containers/" + clone + "?force=true", null).status());
        }
        assertFalse(cps.isEmpty());
    }
}
