package io.godwit.runtime.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Processes and names for cgroup tests; kills what it started. */
final class CgroupTestSupport implements AutoCloseable {

    private final List<Process> processes = new ArrayList<>();

    static String uniqueName(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static Path testfs() {
        return Path.of(System.getProperty("godwit.testfs", "build/testfs"));
    }

    static Path busybox() {
        Path inTestfs = testfs().resolve("rootfs/bin/busybox");
        return Files.exists(inTestfs) ? inTestfs : Path.of("/bin/busybox");
    }

    Process start(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(p);
        return p;
    }

    Process start(Path output, String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        processes.add(p);
        return p;
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
