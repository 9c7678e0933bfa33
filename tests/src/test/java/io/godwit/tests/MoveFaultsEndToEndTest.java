package io.godwit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Moves between hosts made hostile on purpose: host a's daemon flips one byte of the first
 * pages-1.img it sends (after hashing it, as a bad network path would), and host b has a small
 * disk (a 700 MiB tmpfs) and starts without the container's image.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MoveFaultsEndToEndTest {
    private TestHosts hosts;

    @BeforeAll
    void up() throws Exception {
        hosts = TestHosts.up("godwit-mf", Map.of("GODWITD_JAVA_OPTS_A", "-Dgodwit.fault.flipByteOf=pages-1.img"),
                "--b-disk", "700M", "--no-image");
    }

    @AfterEach
    void clean() throws Exception {
        hosts.deleteAllContainers();
        Files.deleteIfExists(hosts.root("b").resolve("filler"));
    }

    @AfterAll
    void down() throws Exception {
        if (hosts != null) {
            hosts.close();
        }
    }

    private void assertOnlyOnA(String name) throws Exception {
        assertEquals(List.of(name + ":RUNNING"), hosts.containers("a"));
        assertEquals(List.of(), hosts.containers("b"));
        for (int i = 0; i < 100 && !hosts.staging("b").isEmpty(); i++) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), hosts.staging("b"), "files of a failed move left on b");
    }

    @Test
    @Order(1)
    void aByteFlippedInFlightIsCaughtAndTheImageTravelsFirst() throws Exception {
        assertEquals(0, hosts.b().get("/1.0/images").json().size(), "b starts without images");
        hosts.launch("a", "job", "/bin/counter", "50");
        JsonNode op = hosts.awaitOperation("a", hosts.startMove("job", "hostb", "cold", null));
        assertEquals("failure", op.get("status").asText(), op.toString());
        assertTrue(op.get("error").asText().contains("checksum mismatch for 'pages-1.img'"), op.toString());
        assertTrue(op.get("error").asText().contains("job is running here"), op.toString());
        assertOnlyOnA("job");
        // The image went over before the memory: b has it now, verified by its fingerprint.
        String fp = hosts.a().get("/1.0/images").json().get(0).get("fingerprint").asText();
        assertEquals(fp, hosts.b().get("/1.0/images").json().get(0).get("fingerprint").asText());
    }

    @Test
    @Order(2)
    void withTheImageThereOnlyTheContainersOwnFilesTravel() throws Exception {
        hosts.launch("a", "job", "/bin/sh", "-c", "echo moved > /tmp/note; exec /bin/counter 50");
        Thread.sleep(500);
        JsonNode op = hosts.awaitOperation("a", hosts.startMove("job", "hostb", "cold", null));
        assertEquals("success", op.get("status").asText(), op.toString());
        JsonNode r = op.get("result");
        assertTrue(r.get("rootfsBytes").asLong() < 1 << 20, "the image was sent again: " + r);
        assertEquals(List.of("job:RUNNING"), hosts.containers("b"));
        assertEquals("moved", Files.readString(hosts.root("b").resolve("containers/job/rootfs/tmp/note")).strip());
    }

    /** Fills b's small disk up to leaving {@code leave} bytes free. */
    private void fillDiskOfB(long leave) throws Exception {
        Path filler = hosts.root("b").resolve("filler");
        long free = Files.getFileStore(hosts.root("b")).getUsableSpace();
        try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
            f.setLength(0);
        }
        Process p = new ProcessBuilder("fallocate", "-l", Long.toString(Math.max(0, free - leave)), filler.toString())
                .inheritIO().start();
        assertEquals(0, p.waitFor());
    }

    @Test
    @Order(3)
    void aTargetWithoutRoomSaysNoBeforeAnythingIsFrozen() throws Exception {
        hosts.launch("a", "big", "/bin/memwriter", "256");
        hosts.awaitFilled("a", "big");
        fillDiskOfB(100L << 20);
        JsonNode op = hosts.awaitOperation("a", hosts.startMove("big", "hostb", "cold", null));
        assertEquals("failure", op.get("status").asText(), op.toString());
        assertTrue(op.get("error").asText().contains("not enough disk"), op.toString());
        assertTrue(op.get("error").asText().contains("during preflight"), op.toString());
        assertOnlyOnA("big");
    }

    @Test
    @Order(4)
    void aDiskThatFillsUpMidTransferLeavesTheContainerRunningHere() throws Exception {
        hosts.launch("a", "big", "/bin/memwriter", "256");
        String sum = hosts.awaitFilled("a", "big");
        String id = hosts.startMove("big", "hostb", "cold", null);
        JsonNode at = hosts.awaitPhase("a", id, "rootfs-precopy", "freeze", "dump");
        assertEquals("running", at.get("status").asText(), at.toString());
        fillDiskOfB(32L << 20); // the pre-flight said yes; now the disk fills up behind its back
        JsonNode op = hosts.awaitOperation("a", id);
        assertEquals("failure", op.get("status").asText(), op.toString());
        assertTrue(op.get("error").asText().contains("No space left on device"), op.toString());
        assertOnlyOnA("big");
        int seen = hosts.console("a", "big").length();
        for (int i = 0; i < 100 && !hosts.console("a", "big").substring(seen).contains(sum); i++) {
            Thread.sleep(100);
        }
        assertTrue(hosts.console("a", "big").substring(seen).contains(" " + sum), "big stopped verifying its memory");
    }
}
