package io.godwit.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import jnr.constants.platform.Fcntl;
import jnr.posix.POSIX;
import jnr.posix.SpawnFileAction;

/**
 * Spawns godwit-monitor with posix_spawn (safe from a multithreaded JVM) and talks to it over two pipes.
 *
 * <p>Fds in the monitor: 0 = control pipe (we write), 1 = report pipe (we read), 2 = STATE_DIR/monitor.log,
 * and in restore mode 3 = the CRIU RPC socket. The spawned process forks, setsid()s and exits at once, so
 * the monitor is not our child (it survives the JVM); we reap only that short-lived pid, by its number.
 */
final class MonitorLauncher {
    /** Where the new stdout/stderr pipes' write ends sit in criu (for CRIU's inherit_fd). */
    static final int CRIU_STDOUT_FD = 4;
    static final int CRIU_STDERR_FD = 5;
    private static final int FD_CLOEXEC = 1;
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0100;
    private static final int O_APPEND = 02000;

    private final POSIX posix = Posix.POSIX;
    private final Path binary;
    private final Supplier<Map<String, String>> criuEnvironment;

    /** criuEnvironment: added to the monitor's environment, which the criu of a restore inherits. */
    MonitorLauncher(Path binary, Supplier<Map<String, String>> criuEnvironment) {
        this.binary = binary;
        this.criuEnvironment = criuEnvironment;
    }

    /** The two pipe ends the JVM keeps while the monitor is being set up. */
    final class Channel implements AutoCloseable {
        private final String container;
        private int controlFd;
        private int reportFd;

        Channel(String container, int controlFd, int reportFd) {
            this.container = container;
            this.controlFd = controlFd;
            this.reportFd = reportFd;
        }

        /** One line from the monitor, or null at EOF (the monitor exited). */
        String readLine() {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            byte[] one = new byte[1];
            while (true) {
                int n = posix.read(reportFd, one, 1);
                if (n < 0 && posix.errno() == 4 /* EINTR */) {
                    continue;
                }
                if (n <= 0) {
                    return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
                }
                if (one[0] == '\n') {
                    return b.toString(StandardCharsets.UTF_8);
                }
                b.write(one[0]);
            }
        }

        /** Reads a line and splits it; an "error ..." line or EOF becomes a ContainerException. */
        String[] expect(String step, String keyword) {
            String line = readLine();
            if (line == null) {
                throw new ContainerException(container, step, "monitor exited without a report (see monitor.log)");
            }
            if (line.startsWith("error ")) {
                throw new ContainerException(container, step, line.substring(6));
            }
            String[] f = line.split(" ");
            if (!f[0].equals(keyword)) {
                throw new ContainerException(container, step, "unexpected monitor reply: " + line);
            }
            return f;
        }

        void writeLine(String line) {
            byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
            int n = posix.write(controlFd, b, b.length);
            if (n != b.length) {
                throw new ContainerException(container, "talk to monitor", "write failed (errno " + posix.errno() + ")");
            }
        }

        @Override
        public void close() {
            if (controlFd >= 0) {
                posix.close(controlFd);
                controlFd = -1;
            }
            if (reportFd >= 0) {
                posix.close(reportFd);
                reportFd = -1;
            }
        }
    }

    Channel spawn(String container, Path stateDir, List<String> args, int criuSocketFd) throws IOException {
        if (!Files.isExecutable(binary)) {
            throw new ContainerException(container, "spawn monitor", binary + " is missing or not executable");
        }
        int[] ctl = pipe(container);
        int[] rep;
        try {
            rep = pipe(container);
        } catch (RuntimeException e) {
            posix.close(ctl[0]);
            posix.close(ctl[1]);
            throw e;
        }
        int sock = criuSocketFd;
        int dupped = -1;
        try {
            if (sock >= 0 && sock <= 3) {
                // dup2(3, 3) would keep close-on-exec set: move it out of the way first
                dupped = posix.fcntlInt(sock, Fcntl.F_DUPFD, 10);
                if (dupped < 0) {
                    throw new ContainerException(container, "spawn monitor", "dup socket fd: errno " + posix.errno());
                }
                sock = dupped;
            }
            List<SpawnFileAction> actions = new ArrayList<>();
            actions.add(SpawnFileAction.dup(ctl[0], 0));
            actions.add(SpawnFileAction.dup(rep[1], 1));
            actions.add(SpawnFileAction.open(stateDir.resolve(StateStore.MONITOR_LOG).toString(), 2,
                    O_WRONLY | O_CREAT | O_APPEND, 0640));
            if (sock >= 0) {
                actions.add(SpawnFileAction.dup(sock, 3));
            }
            List<String> argv = new ArrayList<>();
            argv.add(binary.toString());
            argv.addAll(args);
            List<String> envp = new ArrayList<>();
            for (Map.Entry<String, String> e : System.getenv().entrySet()) {
                if (e.getKey().equals("PATH") || e.getKey().equals("LANG")) {
                    envp.add(e.getKey() + "=" + e.getValue());
                }
            }
            criuEnvironment.get().forEach((k, v) -> envp.add(k + "=" + v));
            long pid = posix.posix_spawnp(binary.toString(), actions, argv, envp);
            if (pid <= 0) {
                throw new ContainerException(container, "spawn monitor", "posix_spawn " + binary + " failed");
            }
            // the spawned process only forks the real monitor and exits: reap it by its pid (never -1)
            int[] status = new int[1];
            posix.waitpid((int) pid, status, 0);
        } catch (RuntimeException e) {
            posix.close(ctl[1]);
            posix.close(rep[0]);
            throw e;
        } finally {
            posix.close(ctl[0]);
            posix.close(rep[1]);
            if (dupped >= 0) {
                posix.close(dupped);
            }
        }
        return new Channel(container, ctl[1], rep[0]);
    }

    private int[] pipe(String container) {
        int[] fds = new int[2];
        if (posix.pipe(fds) != 0) {
            throw new ContainerException(container, "spawn monitor", "pipe: errno " + posix.errno());
        }
        // not inherited by other processes this JVM spawns meanwhile (posix_spawn dup2 clears it for the monitor)
        posix.fcntlInt(fds[0], Fcntl.F_SETFD, FD_CLOEXEC);
        posix.fcntlInt(fds[1], Fcntl.F_SETFD, FD_CLOEXEC);
        return fds;
    }
}
