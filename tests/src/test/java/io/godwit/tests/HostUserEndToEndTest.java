package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.migrator.cli.DaemonClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an unprivileged host user (made by the test, removed after) gets from a daemon's root:
 * nothing. It cannot list, read or write under the root, cannot read a checkpoint's pages or a
 * container's environment, sees no secret in any process's argv, and gets no root from a setuid
 * file shipped in an image or planted in a container's upper dir.
 */
class HostUserEndToEndTest {
    private static final String SECRET = "hunter2-" + ProcessHandle.current().pid();
    private final String user = TestHosts.runName("gwuser").replaceAll("[^a-z0-9-]", "");
    @RegisterExtension
    final TestDaemon node = TestDaemon.inNewDir();
    private final Path dir = node.dir;
    private final DaemonProcess daemon = node.process;
    private boolean userMade;

    @AfterEach
    void cleanUp() throws Exception {
        try {
            node.close();
        } finally {
            if (userMade) {
                new ProcessBuilder("userdel", user).inheritIO().start().waitFor();
            }
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bounded: " + cmd);
        return new Result(p.exitValue(), out);
    }

    /** A shell command as the unprivileged user, no supplementary groups. */
    private Result asUser(String shell) throws Exception {
        return run(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "--",
                "/bin/sh", "-c", shell));
    }

    @Test
    void anUnprivilegedHostUserGetsNothingFromTheRoot() throws Exception {
        Result made = run(List.of("useradd", "--no-create-home", "--shell", "/bin/sh", "--user-group", user));
        assertEquals(0, made.exit(), made.output());
        userMade = true;
        assertEquals(user + "\n", asUser("id -un").output(), "the test user works");

        // An image that ships a setuid-root copy of busybox (as images do: su, ping, ...).
        Path image = dir.resolve("image");
        assertEquals(0, run(List.of("cp", "-a", Path.of(System.getProperty("godwit.testfs"), "rootfs").toString(),
                image.toString())).exit());
        Files.copy(image.resolve("bin/busybox"), image.resolve("bin/w0"));
        assertEquals(0, run(List.of("chmod", "4755", image.resolve("bin/w0").toString())).exit());

        daemon.start(TestDaemon.FAST_START);
        DaemonClient api = daemon.client();
        assertEquals(201, api.post("/1.0/images", Map.of("alias", "busybox", "path", image.toString())).status());
        ApiResponse r = api.send("POST", "/1.0/containers", Map.of("name", "vault",
                "spec", Map.of("image", "busybox", "command", List.of("/bin/counter", "50"),
                        "env", Map.of("DB_PASSWORD", SECRET))));
        assertEquals(201, r.status(), r.body());
        // The container's root plants a setuid-root file in its upper dir.
        ApiResponse planted = api.post("/1.0/containers/vault/exec", Map.of("command",
                List.of("/bin/sh", "-c", "cp /bin/busybox /tmp/w1 && chmod 4755 /tmp/w1 && echo $DB_PASSWORD")));
        assertEquals(0, planted.json().get("exitCode").asInt(), planted.body());
        assertEquals(SECRET, planted.json().get("output").asText().strip(), "the container has its environment");
        ApiResponse started = api.post("/1.0/containers/vault/checkpoints", Map.of());
        JsonNode op = api.waitOperation(started.json().get("id").asText(), o -> { });
        assertEquals("success", op.get("status").asText(), op.toString());
        String id = op.get("result").get("checkpoint").get("id").asText();

        Path root = daemon.root;
        Path pages;
        try (Stream<Path> s = Files.list(root.resolve("checkpoints/" + id + "/images"))) {
            pages = s.filter(p -> p.getFileName().toString().startsWith("pages-")).findFirst().orElseThrow();
        }
        List<Path> setuid = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(p -> p.getFileName().toString().matches("w[01]") && Files.isRegularFile(p)).forEach(setuid::add);
        }
        assertTrue(setuid.size() >= 2, "the setuid files are under the root: " + setuid);

        // Modes, as root sees them.
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
        for (Path f : List.of(root.resolve("catalog.db"), root.resolve("containers/vault/config.json"), pages)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
        }

        // What the user gets.
        assertNotEquals(0, asUser("ls " + root).exit(), "list the root");
        assertNotEquals(0, asUser("touch " + root + "/planted").exit(), "write into the root");
        assertFalse(Files.exists(root.resolve("planted")));
        for (Path f : List.of(root.resolve("catalog.db"), root.resolve("containers/vault/config.json"), pages)) {
            Result read = asUser("cat " + f);
            assertNotEquals(0, read.exit(), "read " + f);
            assertFalse(read.output().contains(SECRET), f.toString());
        }
        for (Path w : setuid) {
            Result got = asUser(w + " id -u");
            assertNotEquals(0, got.exit(), "run " + w + ": " + got.output());
            assertFalse(got.output().strip().equals("0"), "euid 0 from " + w);
        }
        Result ps = asUser("cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\\\0' ' '");
        assertFalse(ps.output().contains(SECRET), "a secret in some process's argv");
    }
}
