package io.godwit.criu;

import io.godwit.criu.internal.LibC;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One small file per criu a daemon started (named by pid, holding the process's start time), so
 * that the next start of the daemon can stop the criu its killed predecessor left behind. Such a
 * criu is nobody's child any more: a {@code criu dump} orphaned mid-move kept a container's tasks in
 * tracing stop for good while the daemon reported them running. Only processes whose pid and start
 * time both match a record are touched: never a criu of another daemon or a person.
 */
public final class CriuPidRecord {
    private static final Logger LOG = Logger.getLogger(CriuPidRecord.class.getName());
    private static final CriuPidRecord NONE = new CriuPidRecord(null);

    /** A criu of an earlier run of the daemon that was still alive at start, and was killed. */
    public record Leftover(int pid, String commandLine) {
    }

    private final Path dir;

    private CriuPidRecord(Path dir) {
        this.dir = dir;
    }

    /** Records nothing: for tools and tests that start criu without a daemon root. */
    public static CriuPidRecord none() {
        return NONE;
    }

    /** Records in dir (made 0700: pids of root's helpers are nobody else's business). */
    public static CriuPidRecord in(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return new CriuPidRecord(dir);
    }

    /** Notes a criu that was just started. Never fails the caller: a missing note only weakens the clean-up. */
    public void started(int pid) {
        if (dir == null || pid <= 0) return;
        long startTime = ProcStat.startTime(pid);
        if (startTime < 0) return; // already gone
        try {
            Files.writeString(dir.resolve(Integer.toString(pid)), Long.toString(startTime), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot record criu pid " + pid + " in " + dir, e);
        }
    }

    /** The criu has exited and been reaped (or was killed by us): its note goes. */
    public void ended(int pid) {
        if (dir == null || pid <= 0) return;
        try {
            Files.deleteIfExists(dir.resolve(Integer.toString(pid)));
        } catch (IOException e) {
            LOG.log(Level.FINE, "cannot remove the note of criu pid " + pid, e);
        }
    }

    /**
     * Kills (SIGKILL, with its process group: its helpers) each recorded criu that still runs as
     * the same process, waits up to bound for them to go, and clears every note. Call at start,
     * before any container is reconciled: a killed dump lets go of its tasks, which the
     * reconciliation then thaws.
     */
    public List<Leftover> killLeftovers(Duration bound) throws IOException {
        List<Leftover> killed = new ArrayList<>();
        if (dir == null) return killed;
        List<Path> notes;
        try (var files = Files.list(dir)) {
            notes = files.toList();
        }
        for (Path note : notes) {
            int pid = parsePid(note.getFileName().toString());
            long recorded = parseStartTime(note);
            if (pid > 0 && recorded >= 0 && ProcStat.startTime(pid) == recorded) {
                String cmd = ProcStat.commandLine(pid);
                LibC.INSTANCE.kill(-pid, LibC.SIGKILL); // criu leads its own group (see CriuProcess)
                LibC.INSTANCE.kill(pid, LibC.SIGKILL);
                killed.add(new Leftover(pid, cmd));
            }
        }
        long deadline = System.nanoTime() + bound.toNanos();
        for (Leftover l : killed) {
            while (ProcStat.isRunning(l.pid()) && System.nanoTime() < deadline) {
                sleep(20);
            }
            if (ProcStat.isRunning(l.pid())) {
                LOG.warning("criu " + l.pid() + " of an earlier run did not exit within " + bound + " of SIGKILL");
            }
        }
        for (Path note : notes) {
            Files.deleteIfExists(note);
        }
        return killed;
    }

    private static int parsePid(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long parseStartTime(Path note) {
        try {
            return Long.parseLong(Files.readString(note, StandardCharsets.US_ASCII).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads /proc/PID: start time (field 22 of stat) and state, enough to tell a re-used pid. */
    static final class ProcStat {
        private ProcStat() {
        }

        /** Start time in clock ticks after boot, or -1 when there is no such process. */
        static long startTime(int pid) {
            String[] f = fields(pid);
            return f == null ? -1 : Long.parseLong(f[19]);
        }

        /** Alive and not a zombie. */
        static boolean isRunning(int pid) {
            String[] f = fields(pid);
            return f != null && !f[0].equals("Z") && !f[0].equals("X");
        }

        static String commandLine(int pid) {
            try {
                byte[] raw = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline"));
                return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
            } catch (IOException e) {
                return "?";
            }
        }

        /** Fields of /proc/PID/stat after the command name (state is [0], start time [19]). */
        private static String[] fields(int pid) {
            String stat;
            try {
                stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            } catch (IOException e) {
                return null;
            }
            int rp = stat.lastIndexOf(')'); // the command name may hold spaces and parentheses
            return rp < 0 ? null : stat.substring(rp + 2).trim().split(" ");
        }
    }
}
