package io.godwit.runtime;

import static io.godwit.runtime.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** `yes` in a container fills no disk: console.log is rotated at its bound and only N old parts stay. */
class ConsoleLogTest {
    private static final long MAX = 64 * 1024;
    /** The monitor writes what one read gave (64 KiB at most) before it looks again. */
    private static final long ONE_READ = 64 * 1024;
    private Fixture fx;
    private ContainerRuntime rt;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(false);
        rt = new ContainerRuntime(RuntimeConfig.of(fx.tmp.resolve("containers"), new CopyImageStore(Fixture.TESTFS),
                null, null).withCriuEnvironment(() -> CriuTestDriver.NO_BREAKPOINTS).withConsoleLog(new ConsoleLog(MAX, 2)));
    }

    @AfterEach
    void tearDown() throws Exception {
        rt.close();
        fx.close();
    }

    @Test
    void yesIsCappedAndRotated() throws Exception {
        String n = Fixture.name("yes");
        rt.create(n, ContainerSpec.of("testfs", List.of("yes")), null);
        rt.start(n);
        Path log = rt.logFile(n);
        Path dir = log.getParent();
        // Twenty rotations' worth of output at least: the oldest parts must have been dropped by then.
        long[] written = {0};
        await("yes writes 20 bounds' worth", Duration.ofSeconds(60), () -> {
            try {
                return Files.exists(dir.resolve("console.log.2")) && (written[0] = totalWritten(n)) > 20 * MAX;
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        rt.kill(n, 9);
        await("yes stops", Duration.ofSeconds(10), () -> fx.status(n) == ContainerState.Status.STOPPED || stopped(n));
        for (String part : List.of("console.log", "console.log.1", "console.log.2")) {
            long size = Files.size(dir.resolve(part));
            assertTrue(size <= MAX + ONE_READ, part + " has " + size + " bytes");
        }
        assertFalse(Files.exists(dir.resolve("console.log.3")), "only two old parts are kept");
        assertTrue(Files.size(dir.resolve("console.log.1")) > 0);
        assertEquals("y", Files.readString(dir.resolve("console.log.1")).substring(0, 1));
    }

    private boolean stopped(String n) {
        try {
            return rt.state(n).status() == ContainerState.Status.STOPPED;
        } catch (Exception e) {
            return false;
        }
    }

    /** Bytes the container wrote to its stdout so far, as the kernel counts them (/proc/PID/io wchar). */
    private long totalWritten(String n) throws Exception {
        int pid = rt.state(n).initPid();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
            if (line.startsWith("wchar:")) {
                return Long.parseLong(line.substring(6).strip());
            }
        }
        return 0;
    }
}
