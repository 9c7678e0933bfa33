package io.godwit.criu;

import io.godwit.criu.internal.LibC;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@code criu swrk 3} child of the JVM, started with posix_spawnp (safe in a multithreaded
 * JVM, unlike fork) and reaped by its own pid only: waitpid(-1) would steal the JDK's children.
 *
 * <p>The child gets: the socket at fd 3; the requested extra fds at 4, 5, ... (for inherit_fd
 * and the page-server fd, whose numbers CRIU reads in its own fd table); stdin and stdout on
 * /dev/null and stderr in a file or /dev/null; every other fd closed (closefrom), so no JVM fd
 * leaks into CRIU or, through it, into restored tasks; default signal dispositions and an
 * empty signal mask (the JVM blocks some); its own process group, so a cancel can kill CRIU and
 * its helpers together and terminal signals meant for the JVM's job do not reach it.
 */
final class CriuProcess {
    private static final int FIRST_EXTRA_FD = 4;

    private final int pid;
    private final Object waitLock = new Object();
    private volatile boolean reaped;
    private int exitStatus;

    private CriuProcess(int pid) {
        this.pid = pid;
    }

    int pid() {
        return pid;
    }

    /** The fd number the i-th extra fd gets in criu. */
    static int extraFdNumber(int index) {
        return FIRST_EXTRA_FD + index;
    }

    static CriuProcess spawn(Path criu, int socketFd, List<Integer> extraFds, Path stderrFile,
                             Map<String, String> environment) throws IOException {
        LibC c = LibC.INSTANCE;
        jnr.ffi.Runtime rt = LibC.RUNTIME;
        Pointer fa = Memory.allocateDirect(rt, LibC.OPAQUE_SIZE);
        Pointer attr = Memory.allocateDirect(rt, LibC.OPAQUE_SIZE);
        Pointer empty = Memory.allocateDirect(rt, LibC.OPAQUE_SIZE);
        Pointer all = Memory.allocateDirect(rt, LibC.OPAQUE_SIZE);
        check("posix_spawn_file_actions_init", c.posix_spawn_file_actions_init(fa));
        try {
            check("posix_spawnattr_init", c.posix_spawnattr_init(attr));
            try {
                check("addopen stdin", c.posix_spawn_file_actions_addopen(fa, 0, "/dev/null", LibC.O_RDONLY, 0));
                check("addopen stdout", c.posix_spawn_file_actions_addopen(fa, 1, "/dev/null", LibC.O_WRONLY, 0));
                String err = stderrFile == null ? "/dev/null" : stderrFile.toString();
                check("addopen stderr", c.posix_spawn_file_actions_addopen(fa, 2, err,
                        LibC.O_WRONLY | LibC.O_CREAT | LibC.O_TRUNC, 0644));
                // Two stages, so no source fd is overwritten before it is copied: first every
                // source to a number above all of them, then down to 3, 4, 5, ...
                List<Integer> sources = new ArrayList<>();
                sources.add(socketFd);
                sources.addAll(extraFds);
                int high = Math.max(1024, sources.stream().mapToInt(Integer::intValue).max().orElse(0) + 1);
                for (int i = 0; i < sources.size(); i++) {
                    check("adddup2", c.posix_spawn_file_actions_adddup2(fa, sources.get(i), high + i));
                }
                check("adddup2 fd 3", c.posix_spawn_file_actions_adddup2(fa, high, 3));
                for (int i = 0; i < extraFds.size(); i++) {
                    check("adddup2", c.posix_spawn_file_actions_adddup2(fa, high + 1 + i, extraFdNumber(i)));
                }
                check("addclosefrom_np", c.posix_spawn_file_actions_addclosefrom_np(fa, extraFdNumber(extraFds.size())));

                c.sigemptyset(empty);
                c.sigfillset(all);
                c.sigdelset(all, LibC.SIGKILL);
                c.sigdelset(all, LibC.SIGSTOP);
                check("setsigmask", c.posix_spawnattr_setsigmask(attr, empty));
                check("setsigdefault", c.posix_spawnattr_setsigdefault(attr, all));
                check("setpgroup", c.posix_spawnattr_setpgroup(attr, 0));
                check("setflags", c.posix_spawnattr_setflags(attr,
                        (short) (LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF | LibC.POSIX_SPAWN_SETPGROUP)));

                List<Pointer> keepAlive = new ArrayList<>();
                Pointer argv = stringArray(rt, List.of(criu.toString(), "swrk", "3"), keepAlive);
                List<String> env = new ArrayList<>();
                for (Map.Entry<String, String> e : environment.entrySet()) env.add(e.getKey() + "=" + e.getValue());
                Pointer envp = stringArray(rt, env, keepAlive);
                IntByReference pid = new IntByReference();
                int rc = c.posix_spawnp(pid, criu.toString(), fa, attr, argv, envp);
                if (rc != 0) {
                    throw new IOException("cannot start " + criu + " swrk: " + LibC.describe(rc));
                }
                return new CriuProcess(pid.getValue());
            } finally {
                c.posix_spawnattr_destroy(attr);
            }
        } finally {
            c.posix_spawn_file_actions_destroy(fa);
        }
    }

    private static Pointer stringArray(jnr.ffi.Runtime rt, List<String> strings, List<Pointer> keepAlive) {
        Pointer array = Memory.allocateDirect(rt, (strings.size() + 1) * rt.addressSize(), true);
        for (int i = 0; i < strings.size(); i++) {
            byte[] b = strings.get(i).getBytes(StandardCharsets.UTF_8);
            Pointer s = Memory.allocateDirect(rt, b.length + 1, true);
            s.put(0, b, 0, b.length);
            keepAlive.add(s);
            array.putAddress((long) i * rt.addressSize(), s.address());
        }
        keepAlive.add(array);
        return array;
    }

    private static void check(String what, int rc) throws IOException {
        if (rc != 0) throw new IOException("posix_spawn set-up failed at " + what + ": " + LibC.describe(rc));
    }

    /** SIGKILL to criu and its process group (its helpers and, on restore, half-restored tasks). */
    void kill() {
        // Not under waitLock: a waiter sits in waitpid holding it. Once reaped, the pid may
        // belong to someone else, so leave it alone.
        if (reaped) return;
        LibC.INSTANCE.kill(-pid, LibC.SIGKILL);
        LibC.INSTANCE.kill(pid, LibC.SIGKILL);
    }

    /** Waits for criu to exit and returns its wait status, decoded. Idempotent. */
    String waitFor() {
        synchronized (waitLock) {
            if (!reaped) {
                int[] status = new int[1];
                int rc;
                do {
                    rc = LibC.INSTANCE.waitpid(pid, status, 0);
                } while (rc < 0 && LibC.errno() == 4);
                exitStatus = rc < 0 ? -1 : status[0];
                reaped = true;
            }
            return describeStatus(exitStatus);
        }
    }

    static String describeStatus(int status) {
        if (status == -1) return "unknown (waitpid failed)";
        int sig = status & 0x7f;
        if (sig == 0) return "exit status " + ((status >> 8) & 0xff);
        return "killed by signal " + sig;
    }
}
