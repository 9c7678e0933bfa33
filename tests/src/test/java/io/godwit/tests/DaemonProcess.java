package io.godwit.tests;

import io.godwit.migrator.cli.DaemonClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real godwitd in its own JVM, on a throwaway root and socket, as an operator would run it. */
final class DaemonProcess implements AutoCloseable {
    final Path root;
    final Path socket;
    final Path log;
    private static final Duration START_BOUND = Duration.ofSeconds(120);
    private Process process;
    private List<String> jvmArgs = List.of();

    DaemonProcess(Path dir) {
        this.root = dir.resolve("root");
        this.socket = dir.resolve("godwit.sock");
        this.log = dir.resolve("daemon.log");
    }

    DaemonClient client() {
        return new DaemonClient(socket);
    }

    /** JVM options (-Dgodwit.criu=..., say) for the next start. */
    DaemonProcess jvmArgs(String... args) {
        this.jvmArgs = List.of(args);
        return this;
    }

    DaemonProcess start() throws IOException, InterruptedException {
        return start(List.of());
    }

    /** Starts godwitd with {@code --root} and {@code --socket} of this directory, then {@code extraArgs}. */
    DaemonProcess start(List<String> extraArgs) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path top = Path.of(System.getProperty("godwit.top"));
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-Dgodwit.monitor=" + top.resolve("runtime/target/native/godwit-monitor"),
                "-cp", System.getProperty("java.class.path"), "io.godwit.migrator.GodwitDaemon",
                "--root", root.toString(), "--socket", socket.toString(),
                // its own cgroup parent: containers of the same name in another daemon never meet
                "--cgroup-parent", TestHosts.runName("godwit-e2e") + "-" + root.getParent().getFileName()));
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        // generous: a JVM start on a loaded 2-core machine took over 30 s
        Instant deadline = Instant.now().plus(START_BOUND);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("godwitd exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (client().get("/1.0").status() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        // a daemon that did not come up must not outlive the test (scripts/leftovers would find it)
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException("godwitd did not answer within " + START_BOUND.toSeconds() + " s:\n"
                + Files.readString(log));
    }

    /** The daemon's process id (while it runs). */
    long pid() {
        return process.pid();
    }

    /** The daemon dies as in a crash: no shutdown hook, no clean-up. */
    void killHard() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
