package io.godwit.tests;

import io.godwit.migrator.cli.DaemonClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A real godwitd in its own JVM, on a throwaway root and socket, as an operator would run it. */
final class DaemonProcess implements AutoCloseable {
    private static final long START_SECONDS = 120;
    final Path root;
    final Path socket;
    final Path log;
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
        // bounded, but generous: the host probe and the start-up checks take 30 s and more on a loaded machine
        Instant deadline = Instant.now().plus(Duration.ofSeconds(START_SECONDS));
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
        throw new IllegalStateException("godwitd did not answer within " + START_SECONDS + " s:\n" + Files.readString(log));
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
            process.waitFor();
        }
    }
}
