package io.godwit.runtime;

import static io.godwit.runtime.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.runtime.ContainerState.Status;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A restore that replaces a stopped container first sets it aside, whole; if the restore fails the
 * container comes back as it was, and a daemon that stopped half-way puts it back when it starts.
 */
class SetAsideTest {
    private Fixture fx;
    private ContainerRuntime rt;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(true);
        rt = fx.runtime;
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private String stoppedContainerWithAFile() throws Exception {
        String n = Fixture.name("aside");
        rt.create(n, ContainerSpec.of("testfs", List.of("sh", "-c", "echo mine > /root/mark")), null);
        rt.start(n);
        await("stopped", Duration.ofSeconds(10), () -> fx.status(n) == Status.STOPPED);
        assertEquals("mine\n", Files.readString(rt.rootfs(n).resolve("root/mark")));
        return n;
    }

    @Test
    void aFailedReplacementGivesTheOldContainerBack() throws Exception {
        String n = stoppedContainerWithAFile();
        ContainerRuntime.SetAside aside = rt.setAside(n);
        // still the user's container: listed as it was, never vanishing in the middle of a restore
        assertEquals(List.of(n + ":STOPPED"), rt.list().stream().filter(s -> s.name().equals(n))
                .map(s -> s.name() + ":" + s.status()).toList(), "set aside, still listed");
        assertThrows(NoSuchContainerException.class, () -> rt.setAside(n), "nothing left to set aside under the name");
        rt.create(n, ContainerSpec.of("testfs", List.of("counter")), null); // the restore's new container
        assertEquals(Status.CREATED, rt.state(n).status());
        assertEquals(List.of(n + ":CREATED"), rt.list().stream().filter(s -> s.name().equals(n))
                .map(s -> s.name() + ":" + s.status()).toList(), "listed once, as the new one");

        ContainerState back = rt.putBack(aside);
        assertEquals(Status.STOPPED, back.status());
        assertEquals("mine\n", Files.readString(rt.rootfs(n).resolve("root/mark")));
        assertFalse(Files.exists(aside.dir()));
        rt.start(n); // and it still starts
        await("stopped again", Duration.ofSeconds(10), () -> fx.status(n) == Status.STOPPED);
    }

    @Test
    void aSuccessfulReplacementDropsTheOldOne() throws Exception {
        String n = stoppedContainerWithAFile();
        ContainerRuntime.SetAside aside = rt.setAside(n);
        rt.create(n, ContainerSpec.of("testfs", List.of("sleep", "30")), null);
        rt.start(n);
        rt.discardSetAside(aside);
        assertFalse(Files.exists(aside.dir()));
        assertEquals(Status.RUNNING, rt.state(n).status());
        assertFalse(Files.exists(rt.rootfs(n).resolve("root/mark")));
        rt.delete(n, true);
    }

    @Test
    void aRuntimeStartingAfterACrashPutsTheContainerBack() throws Exception {
        String n = stoppedContainerWithAFile();
        ContainerRuntime.SetAside aside = rt.setAside(n);
        ContainerRuntime restarted = fx.newRuntime(); // the daemon died before the restore's outcome
        assertEquals(Status.STOPPED, restarted.state(n).status());
        assertEquals("mine\n", Files.readString(restarted.rootfs(n).resolve("root/mark")));
        assertFalse(Files.exists(aside.dir()));
    }
}
