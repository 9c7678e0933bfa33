package io.godwit.tests;

import static io.godwit.tests.TestContainers.importBusybox;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Confinement through real daemons with the real CRIU: the escape probe (scripts/testprogs/escape.c)
 * runs as a default container's init and finds every door shut; it is asked again (SIGUSR1) after
 * checkpoint --stop + restore, in a warm-started clone, and after a cold and a lazy move, and the
 * restored or moved process, which CRIU gave back its credentials and seccomp filter, is exactly as
 * confined as before. Custom profiles keep their effect across a restore; bad security settings are
 * refused naming what is wrong, and nothing is started.
 */
class ConfinementEndToEndTest {
    static final String PID = Long.toString(ProcessHandle.current().pid());
    private static final String PROFILE = """
            {"defaultAction": "SCMP_ACT_ALLOW",
             "syscalls": [{"names": ["sync"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}""";

    /** The rounds of escape output in a console log so far. */
    static int rounds(String console) {
        return console.split("escape round ", -1).length - 1;
    }

    /** Waits for round number {@code n} of the console (counting from 1) and returns its lines. */
    static String awaitRound(Supplier<String> console, int n) throws Exception {
        for (int i = 0; i < 300; i++) {
            String log = console.get();
            if (rounds(log) >= n) {
                String[] parts = log.split("(?<=escaped\\n)");
                return parts[n - 1];
            }
            Thread.sleep(100);
        }
        throw new AssertionError("escape round " + n + " never came:\n" + console.get());
    }

    static void assertNothingEscaped(String round, String where) {
        assertTrue(round.matches("(?s).*escape round \\d+: \\d+ attempts, 0 escaped\\n"), where + ":\n" + round);
        assertTrue(round.contains("ptrace-outside"), where + ": the probe tried ptrace:\n" + round);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) attempts").matcher(round);
        assertTrue(m.find() && Integer.parseInt(m.group(1)) >= 25, where + ": every probe ran:\n" + round);
        assertEquals(Integer.parseInt(m.group(1)), round.lines().filter(l -> l.contains(" blocked (")).count(),
                where + ":\n" + round);
    }

    /** The daemon's report of what the kernel says of the init (the "confinement" object of the API). */
    private static JsonNode live(DaemonClient api, String name) throws Exception {
        JsonNode c = api.get("/1.0/containers/" + name).json();
        assertEquals("RUNNING", c.path("status").asText(), c.toString());
        return c.path("confinement");
    }

    static void signal(DaemonClient api, String name) throws Exception {
        ApiResponse r = api.post("/1.0/containers/" + name + "/state", Map.of("action", "kill", "signal", 10));
        assertEquals(200, r.status(), r.body());
    }

    static JsonNode run(DaemonClient api, ApiResponse started) throws Exception {
        assertEquals(202, started.status(), started.body());
        JsonNode op = api.waitOperation(started.json().get("id").asText(), java.time.Duration.ofMinutes(3), o -> { });
        assertEquals("success", op.path("status").asText(), op.toString());
        return op;
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (Exception e) {
            return "";
        }
    }

    /** The attempt lines of a round, without its summary (the round number differs). */
    private static List<String> attempts(String round) {
        return round.lines().filter(l -> l.contains(" blocked (") || l.contains(" ESCAPED (")).toList();
    }

    /**
     * Runs the probe with `godwit exec`'s streaming API and checks it finds the doors shut exactly
     * as the init did, and that the exec'd process's capabilities are the init's.
     */
    static void assertExecConfinedAsInit(DaemonClient api, String name, String initRound) throws Exception {
        StringBuilder out = new StringBuilder();
        int exit = -1;
        try (DaemonClient.LineStream frames = api.stream("POST", "/1.0/containers/" + name + "/exec?stream=true",
                Map.of("command", List.of("/bin/escape", PID)))) {
            String line;
            while ((line = frames.readLine()) != null) {
                JsonNode f = DaemonClient.json().readTree(line);
                if (f.has("stdout")) {
                    out.append(new String(java.util.Base64.getDecoder().decode(f.get("stdout").asText())));
                } else if (f.has("exitCode")) {
                    exit = f.get("exitCode").asInt();
                }
            }
        }
        assertEquals(0, exit, out.toString());
        assertNothingEscaped(out.toString(), "godwit exec in " + name);
        assertEquals(attempts(initRound), attempts(out.toString()), "exec blocked exactly as the init");
        ApiResponse st = api.post("/1.0/containers/" + name + "/exec",
                Map.of("command", List.of("grep", "-E", "^(CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):", "/proc/self/status")));
        assertEquals(200, st.status(), st.body());
        String status = st.json().path("stdout").asText();
        assertTrue(status.contains("NoNewPrivs:\t1") && status.contains("Seccomp:\t2")
                && status.contains("CapAmb:\t0000000000000000"), status);
        String initPid = api.get("/1.0/containers/" + name).json().path("pid").asText();
        String initStatus = Files.readString(Path.of("/proc/" + initPid + "/status"));
        for (String key : List.of("CapEff:", "CapBnd:")) {
            String want = initStatus.lines().filter(l -> l.startsWith(key)).findFirst().orElseThrow();
            assertTrue(status.contains(want), key + " of exec " + status + " vs init " + want);
        }
    }

    @Test
    void confinedBeforeAndAfterCheckpointRestoreAndInWarmStarts() throws Exception {
        try (TestDaemon node = TestDaemon.inNewDir()) {
            DaemonProcess daemon = node.start(List.of()).process;
            DaemonClient api = daemon.client();
            importBusybox(api);
            Supplier<String> console = () -> read(daemon.root.resolve("containers/esc/console.log"));
            ApiResponse r = api.post("/1.0/containers", Map.of("name", "esc", "spec",
                    Map.of("image", "busybox", "command", List.of("/bin/escape", "--serve", PID))));
            assertEquals(201, r.status(), r.body());
            String firstRound = awaitRound(console, 1);
            assertNothingEscaped(firstRound, "started");
            assertExecConfinedAsInit(api, "esc", firstRound);
            JsonNode before = live(api, "esc");
            assertEquals("filter", before.path("seccomp").asText(), before.toString());
            assertTrue(before.path("noNewPrivileges").asBoolean(), before.toString());
            assertEquals(14, before.path("effectiveCapabilities").size(), before.toString());
            assertEquals(4096, r.json().path("spec").path("limits").path("pids").asLong(), "default pids limit");

            run(api, api.post("/1.0/containers/esc/checkpoints", Map.of("stop", true)));
            run(api, api.post("/1.0/containers/esc/restore", Map.of("latest", true)));
            assertEquals(before, live(api, "esc"), "restored exactly as confined");
            int seen = rounds(console.get());
            signal(api, "esc");
            assertNothingEscaped(awaitRound(console, seen + 1), "after checkpoint --stop and restore");
            assertExecConfinedAsInit(api, "esc", firstRound);

            // a warm start restores the same images into a new container
            String ck = api.get("/1.0/containers/esc/checkpoints").json().get(0).path("id").asText();
            run(api, api.post("/1.0/containers", Map.of("name", "clone", "from",
                    Map.of("container", "esc", "checkpoint", ck), "count", 1)));
            assertEquals(before, live(api, "clone"), "warm start exactly as confined");
            Supplier<String> cloneConsole = () -> read(daemon.root.resolve("containers/clone/console.log"));
            signal(api, "clone");
            assertNothingEscaped(awaitRound(cloneConsole, 1), "in a warm-started clone");
        }
    }

    @Test
    void customProfileCapsAndUserKeptAcrossRestoreAndBadSettingsRefused() throws Exception {
        try (TestDaemon node = TestDaemon.inNewDir()) {
            DaemonProcess daemon = node.start(List.of()).process;
            DaemonClient api = daemon.client();
            importBusybox(api);
            JsonNode profile = DaemonClient.json().readTree(PROFILE);
            Supplier<String> console = () -> read(daemon.root.resolve("containers/sc/console.log"));
            ApiResponse r = api.post("/1.0/containers", Map.of("name", "sc", "spec", Map.of("image", "busybox",
                    "command", List.of("/bin/escape", "--serve"),
                    "security", Map.of("seccomp", "custom", "seccompProfile", profile, "capAdd", List.of("SYS_PTRACE"),
                            "capDrop", List.of("NET_RAW"), "groups", List.of(7)))));
            assertEquals(201, r.status(), r.body());
            String first = awaitRound(console, 1);
            assertTrue(first.contains("sync                   Operation not permitted"), first);
            JsonNode before = live(api, "sc");
            assertTrue(before.path("effectiveCapabilities").toString().contains("CAP_SYS_PTRACE"), before.toString());
            assertTrue(!before.path("effectiveCapabilities").toString().contains("CAP_NET_RAW"), before.toString());
            assertEquals("[7]", before.path("groups").toString());

            run(api, api.post("/1.0/containers/sc/checkpoints", Map.of("stop", true)));
            run(api, api.post("/1.0/containers/sc/restore", Map.of("latest", true)));
            assertEquals(before, live(api, "sc"));
            int seen = rounds(console.get()); // the restored container has a fresh console.log
            signal(api, "sc");
            String after = awaitRound(console, seen + 1);
            assertTrue(after.contains("sync                   Operation not permitted"), after);

            ApiResponse badCap = api.send("POST", "/1.0/containers", Map.of("name", "bad1", "spec",
                    Map.of("image", "busybox", "command", List.of("true"), "security", Map.of("capAdd", List.of("CAP_FLY")))));
            assertEquals(400, badCap.status(), badCap.body());
            assertTrue(badCap.body().contains("CAP_FLY"), badCap.body());
            ApiResponse badProfile = api.send("POST", "/1.0/containers", Map.of("name", "bad2", "spec",
                    Map.of("image", "busybox", "command", List.of("true"), "security", Map.of("seccomp", "custom",
                            "seccompProfile", Map.of("defaultAction", "SCMP_ACT_ALLOW", "syscals", List.of())))));
            assertEquals(400, badProfile.status(), badProfile.body());
            assertTrue(badProfile.body().contains("security.seccompProfile.syscals"), badProfile.body());
            List<String> names = api.get("/1.0/containers").json().findValuesAsText("name");
            assertEquals(List.of("sc"), names, "nothing started for the refused requests");
        }
    }

    @Test
    void confinedAfterColdAndLazyMoves() throws Exception {
        try (TestHosts hosts = TestHosts.up("godwit-cf", Map.of())) {
            hosts.launch("a", "esc", "/bin/escape", "--serve", PID);
            assertNothingEscaped(awaitRound(() -> console(hosts, "a", "esc"), 1), "on a");
            JsonNode before = live(hosts.a(), "esc");
            String back = "a";
            for (String mode : List.of("cold", "lazy")) {
                String to = back.equals("a") ? "b" : "a";
                JsonNode op = hosts.awaitOperation(back, hosts.startMove("esc", "host" + to, mode, null));
                assertEquals("success", op.path("status").asText(), op.toString());
                assertEquals(before, live(hosts.host(to), "esc"), "moved " + mode + " exactly as confined");
                int seen = rounds(console(hosts, to, "esc"));
                signal(hosts.host(to), "esc");
                String round = awaitRound(() -> console(hosts, to, "esc"), seen + 1);
                System.out.println("escape table after a " + mode + " move (" + back + " -> " + to + "):\n" + round);
                assertNothingEscaped(round, "after a " + mode + " move");
                back = to;
            }
            hosts.deleteAllContainers();
        }
    }

    private static String console(TestHosts hosts, String node, String name) {
        try {
            return hosts.console(node, name);
        } catch (Exception e) {
            return "";
        }
    }
}
