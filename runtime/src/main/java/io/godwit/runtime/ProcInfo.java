package io.godwit.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads /proc/PID/stat: enough to tell a live process from a zombie or a re-used pid. */
record ProcInfo(int pid, char state, int ppid, long startTime) {

    /** The process, or null if there is none (or it is a zombie: dead but not yet reaped). */
    static ProcInfo live(int pid) {
        ProcInfo p = read(pid);
        return p == null || p.state == 'Z' || p.state == 'X' ? null : p;
    }

    static ProcInfo read(int pid) {
        if (pid <= 0) {
            return null;
        }
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        } catch (IOException e) {
            return null;
        }
        // comm may contain spaces and parentheses: fields after the last ')' are fixed
        int rp = stat.lastIndexOf(')');
        String[] f = stat.substring(rp + 2).trim().split(" ");
        // f[0] = state (field 3), f[1] = ppid (4), f[19] = starttime (22)
        return new ProcInfo(pid, f[0].charAt(0), Integer.parseInt(f[1]), Long.parseLong(f[19]));
    }

    /** Alive and the same process as recorded (start time matches), so a re-used pid is not taken for ours. */
    static boolean isSame(int pid, long startTime) {
        ProcInfo p = live(pid);
        return p != null && (startTime == 0 || p.startTime == startTime);
    }
}
