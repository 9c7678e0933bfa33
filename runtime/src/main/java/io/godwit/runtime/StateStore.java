package io.godwit.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.runtime.net.BridgeAttachment;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The files of one container directory. Every write is temp + fsync + rename + fsync(dir), so a crash leaves
 * the old or the new file, never half of one. The monitor writes monitor.pid, init.pid and exit.json the same way.
 */
final class StateStore {
    static final String CONFIG = "config.json";
    static final String STATE = "state.json";
    static final String MONITOR_PID = "monitor.pid";
    static final String INIT_PID = "init.pid";
    static final String EXIT = "exit.json";
    static final String CONSOLE = "console.log";
    static final String MONITOR_LOG = "monitor.log";
    static final String SECCOMP_RULES = "seccomp.rules";
    static final String MONITOR_ENV = "monitor.env";

    /**
     * state.json. Start times (clock ticks since boot, /proc/PID/stat field 22) tell our processes from
     * processes that got a re-used pid after a reboot or a long downtime.
     */
    record Persisted(ContainerState.Status status, Instant createdAt, Instant startedAt, String imageFingerprint,
            int monitorPid, long monitorStartTime, int initPid, long initStartTime, BridgeAttachment bridge) {

        Persisted with(ContainerState.Status s) {
            return new Persisted(s, createdAt, startedAt, imageFingerprint, monitorPid, monitorStartTime, initPid,
                    initStartTime, bridge);
        }
    }

    private final Path dir;

    StateStore(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    boolean exists() {
        return Files.isRegularFile(dir.resolve(STATE));
    }

    Persisted readState() throws IOException {
        return Json.MAPPER.readValue(Files.readString(dir.resolve(STATE)), Persisted.class);
    }

    void writeState(Persisted p) throws IOException {
        writeAtomic(STATE, Json.MAPPER.writeValueAsString(p));
    }

    ContainerSpec readSpec() throws IOException {
        return ContainerSpec.fromJson(Files.readString(dir.resolve(CONFIG)));
    }

    void writeSpec(ContainerSpec spec) throws IOException {
        writeAtomic(CONFIG, spec.toJson());
    }

    /** The exit status written by the monitor, or null if the init has not been reaped (yet). */
    ExitStatus readExit() throws IOException {
        try {
            JsonNode n = Json.MAPPER.readTree(Files.readString(dir.resolve(EXIT)));
            return new ExitStatus(n.path("exitCode").asInt(-1), n.path("signal").asInt(0),
                    Instant.parse(n.path("finishedAt").asText()));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    int readPid(String name) throws IOException {
        try {
            return Integer.parseInt(Files.readString(dir.resolve(name)).trim());
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    /**
     * The container's environment for its monitor: K=V entries each ended by a NUL byte, in a file
     * only root can read, which the monitor unlinks once read (secrets stay out of argv and ps).
     */
    Path writeMonitorEnv(java.util.Map<String, String> env) throws IOException {
        Path file = dir.resolve(MONITOR_ENV);
        Files.deleteIfExists(file);
        StringBuilder b = new StringBuilder();
        env.forEach((k, v) -> b.append(k).append('=').append(v).append('\0'));
        try (FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), PrivateFiles.FILE)) {
            var bytes = StandardCharsets.UTF_8.encode(b.toString());
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
        }
        return file;
    }

    /** Forgets the previous run's pids and exit status before a new start or restore. */
    void clearRun() throws IOException {
        for (String f : new String[] {MONITOR_PID, INIT_PID, EXIT}) {
            Files.deleteIfExists(dir.resolve(f));
        }
        MonitorFence.clear(dir); // a fence of the run before must not fence the next one
    }

    /** A write that fails (a full disk, say) leaves the old file and no temp file behind. */
    void writeAtomic(String name, String content) throws IOException {
        Path tmp = dir.resolve("." + name + ".tmp");
        try {
            // 0600: config.json holds the container's environment (passwords, tokens)
            try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING), PrivateFiles.FILE)) {
                var bytes = StandardCharsets.UTF_8.encode(content);
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
                ch.force(true);
            }
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof AtomicMoveNotSupportedException) {
                throw new IOException("cannot rename atomically in " + dir, e);
            }
            throw e;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // some file systems refuse fsync on a directory; the rename itself is still atomic
        }
    }
}
