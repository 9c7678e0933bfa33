package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.cli.ApiResponse;
import io.godwit.runtime.image.OverlayLayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A container's own files come back exactly after a local restore, a warm start and cold and lazy
 * moves: a deleted image file stays deleted, a replaced directory holds only its new content, a
 * renamed directory is only under its new name, a deleted and re-created file has its new content,
 * a 64 MiB file holding one byte keeps its holes, hard links stay links, and xattrs of the upper
 * layer arrive. The changes are made inside the container, through its overlay, and checked there;
 * the new upper directory is checked from the host. A failed local restore keeps the container
 * and its checkpoint.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RootfsFidelityEndToEndTest {
    private TestHosts hosts;

    /** Run inside the container: the cases, each on a file or directory of the image where it applies. */
    private static final String CHANGE = String.join(" && ",
            "rm /bin/vi",                                                  // deleted image file -> whiteout
            "rm -rf /etc && mkdir /etc && echo c > /etc/c",                // replaced directory -> opaque
            "mv /var /var2",                                               // renamed directory
            "rm /bin/sed && echo new > /bin/sed",                          // deleted and re-created
            "truncate -s 64M /root/sparse",                                // 64 MiB holding one byte
            "printf z | dd of=/root/sparse bs=1 seek=1000000 conv=notrunc 2>/dev/null",
            "echo linked > /root/h1 && ln /root/h1 /root/h2",              // hard links
            "echo attrs > /root/attrs");                                   // xattrs set from the host, below

    /** Run inside the container: what it must see after the operation. */
    private static final String CHECK = String.join("; ",
            "ls /bin/vi >/dev/null 2>&1 || echo vi-gone",
            "echo etc: $(ls -A /etc)",
            "ls -d /var >/dev/null 2>&1 || echo var-gone",
            "echo var2: $(ls -A /var2)",
            "echo sed: $(cat /bin/sed)",
            "echo sparse: $(stat -c %s /root/sparse) $(dd if=/root/sparse bs=1 skip=1000000 count=1 2>/dev/null)",
            "echo links: $(stat -c %h /root/h1) $(test $(stat -c %i /root/h1) = $(stat -c %i /root/h2) && echo same)",
            "echo blocks: $(stat -c %b /root/sparse)");

    private static final String EXPECTED = String.join("\n", "vi-gone", "etc: c", "var-gone", "var2: log", "sed: new",
            "sparse: 67108864 z", "links: 2 same");

    @BeforeAll
    void up() throws Exception {
        hosts = TestHosts.up("godwit-rf", Map.of());
    }

    @AfterEach
    void clean() throws Exception {
        hosts.deleteAllContainers();
    }

    @AfterAll
    void down() throws Exception {
        if (hosts != null) {
            hosts.close();
        }
    }

    private String exec(String node, String name, String script) throws Exception {
        ApiResponse r = hosts.host(node).post("/1.0/containers/" + name + "/exec", Map.of("command", List.of("sh", "-c", script)));
        assertEquals(200, r.status(), r.body());
        assertEquals(0, r.json().path("exitCode").asInt(-1), script + " in " + name + " on " + node + ": " + r.body());
        return r.json().get("output").asText();
    }

    private Path upper(String node, String name) {
        return hosts.root(node).resolve("containers").resolve(name).resolve("upper");
    }

    /** A running counter on a, changed by CHANGE inside and by xattrs on its upper layer from the host. */
    private void changedContainer(String name) throws Exception {
        hosts.launch("a", name, "/bin/counter");
        exec("a", name, CHANGE);
        assertSees("a", name); // the test's own premise, before any operation
        Path attrs = upper("a", name).resolve("root/attrs");
        OverlayLayer.setXattr(attrs, "user.godwit", "kept");
        OverlayLayer.setXattr(attrs, "trusted.godwit", "kept too");
    }

    /** What the container sees, and what its new upper directory holds. */
    private void assertSees(String node, String name) throws Exception {
        String seen = exec(node, name, CHECK).strip();
        int cut = seen.lastIndexOf("\nblocks: ");
        assertTrue(cut > 0, seen);
        assertEquals(EXPECTED, seen.substring(0, cut), name + " on " + node + " sees other files");
        long blocks = Long.parseLong(seen.substring(cut + "\nblocks: ".length()).strip());
        assertTrue(blocks < 1024, name + " on " + node + ": the 64 MiB file with one byte has " + blocks
                + " blocks (131072 when its holes are filled)");
        Path upper = upper(node, name);
        assertTrue(OverlayLayer.isWhiteout(upper.resolve("bin/vi")), "no whiteout for /bin/vi in " + upper);
        assertTrue(OverlayLayer.isOpaque(upper.resolve("etc")), "/etc is not opaque in " + upper);
    }

    private void assertXattrsArrived(String node, String name) throws Exception {
        Path attrs = upper(node, name).resolve("root/attrs");
        assertEquals("kept", OverlayLayer.xattr(attrs, "user.godwit"), attrs.toString());
        assertEquals("kept too", OverlayLayer.xattr(attrs, "trusted.godwit"), attrs.toString());
    }

    private JsonNode run(String node, ApiResponse started) throws Exception {
        assertEquals(202, started.status(), started.body());
        JsonNode op = hosts.awaitOperation(node, started.json().get("id").asText());
        assertEquals("success", op.get("status").asText(), op.toString());
        return op;
    }

    @Test
    void localRestoreAfterCheckpointStop() throws Exception {
        changedContainer("fid-local");
        run("a", hosts.a().post("/1.0/containers/fid-local/checkpoints", Map.of("stop", true)));
        run("a", hosts.a().post("/1.0/containers/fid-local/restore", Map.of("latest", true)));
        assertSees("a", "fid-local");
        assertXattrsArrived("a", "fid-local");
    }

    @Test
    void warmStartFromACheckpoint() throws Exception {
        changedContainer("fid-warm");
        run("a", hosts.a().post("/1.0/containers/fid-warm/checkpoints", Map.of()));
        run("a", hosts.a().post("/1.0/containers", Map.of("name", "fid-clone", "from", Map.of("container", "fid-warm"))));
        assertSees("a", "fid-clone");
        assertXattrsArrived("a", "fid-clone");
        assertSees("a", "fid-warm"); // the template runs on, unchanged
    }

    @Test
    void coldMove() throws Exception {
        moveAndCheck("fid-cold", "cold");
    }

    @Test
    void lazyMove() throws Exception {
        moveAndCheck("fid-lazy", "lazy");
    }

    private void moveAndCheck(String name, String mode) throws Exception {
        changedContainer(name);
        JsonNode op = hosts.awaitOperation("a", hosts.startMove(name, "hostb", mode, null));
        assertEquals("success", op.get("status").asText(), op.toString());
        assertEquals(mode, op.get("result").get("mode").asText());
        long rootfsBytes = op.get("result").get("rootfsBytes").asLong();
        assertTrue(rootfsBytes < 8L << 20, "the holes of the 64 MiB file crossed as zeros: rootfsBytes " + rootfsBytes);
        assertSees("b", name);
        assertXattrsArrived("b", name);
    }

    @Test
    void aFailedLocalRestoreKeepsTheContainerAndItsCheckpoint() throws Exception {
        Path volume = Files.createDirectories(hosts.dir.resolve("fid-volume"));
        ApiResponse made = hosts.a().post("/1.0/containers", Map.of("name", "fid-fail", "spec", Map.of("image", "busybox",
                "command", List.of("/bin/counter"), "mounts", List.of(Map.of("hostPath", volume.toString(),
                        "containerPath", "/data", "readOnly", false)))));
        assertEquals(201, made.status(), made.body());
        exec("a", "fid-fail", CHANGE);
        JsonNode cp = run("a", hosts.a().post("/1.0/containers/fid-fail/checkpoints", Map.of("stop", true)));
        String id = cp.get("result").get("checkpoint").get("id").asText();

        // The volume's host directory is gone: CRIU cannot mount it back, the restore fails after
        // the checkpoint was verified and the stopped container was made way for.
        Path away = Files.move(volume, hosts.dir.resolve("fid-volume-away"));
        ApiResponse started = hosts.a().post("/1.0/containers/fid-fail/restore", Map.of("checkpoint", id));
        assertEquals(202, started.status(), started.body());
        JsonNode failed = hosts.awaitOperation("a", started.json().get("id").asText());
        assertEquals("failure", failed.get("status").asText(), failed.toString());
        assertTrue(failed.get("error").asText().contains("restore of fid-fail from checkpoint " + id + " failed"),
                "it must fail in CRIU's restore, after the container was made way for: " + failed);
        assertEquals(List.of("fid-fail:STOPPED"), hosts.containers("a"), "the failed restore took the container away");
        JsonNode checkpoints = hosts.a().get("/1.0/containers/fid-fail/checkpoints").json();
        assertEquals(1, checkpoints.size(), checkpoints.toString());
        assertEquals(id, checkpoints.get(0).get("id").asText());

        // Given its volume back, the same checkpoint restores, with every file as it was.
        Files.move(away, volume);
        run("a", hosts.a().post("/1.0/containers/fid-fail/restore", Map.of("checkpoint", id)));
        assertEquals(List.of("fid-fail:RUNNING"), hosts.containers("a"));
        assertSees("a", "fid-fail");
    }
}
