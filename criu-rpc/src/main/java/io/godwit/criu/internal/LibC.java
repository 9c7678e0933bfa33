package io.godwit.criu.internal;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;

/**
 * Not API (public only because jnr-ffi generates its implementation in another class loader).
 * The few libc calls jnr-posix lacks or gets wrong for us: posix_spawnp with its real error
 * number (jnr-posix drops it), closefrom as a spawn file action, signal-mask resets, and
 * plain send/recv on a SEQPACKET socket. Loaded once; all calls are thread-safe.
 */
public interface LibC {
    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");
    jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(INSTANCE);

    int AF_UNIX = 1;
    int SOCK_SEQPACKET = 5;
    int SOCK_CLOEXEC = 0x80000;
    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_CREAT = 0x40;
    int O_TRUNC = 0x200;
    int O_DIRECTORY = 0x10000;
    int O_CLOEXEC = 0x80000;
    int MSG_TRUNC = 0x20;
    int SHUT_RDWR = 2;
    int SIGKILL = 9;
    int SIGSTOP = 19;
    int SIGCONT = 18;
    short POSIX_SPAWN_SETPGROUP = 0x02;
    short POSIX_SPAWN_SETSIGDEF = 0x04;
    short POSIX_SPAWN_SETSIGMASK = 0x08;
    /** glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128: round up. */
    int OPAQUE_SIZE = 512;

    int posix_spawnp(@Out IntByReference pid, String file, Pointer fileActions, Pointer attr,
                     Pointer argv, Pointer envp);
    int posix_spawn_file_actions_init(Pointer fa);
    int posix_spawn_file_actions_destroy(Pointer fa);
    int posix_spawn_file_actions_adddup2(Pointer fa, int fd, int newfd);
    int posix_spawn_file_actions_addopen(Pointer fa, int fd, String path, int oflag, int mode);
    int posix_spawn_file_actions_addclosefrom_np(Pointer fa, int from);
    int posix_spawnattr_init(Pointer attr);
    int posix_spawnattr_destroy(Pointer attr);
    int posix_spawnattr_setflags(Pointer attr, short flags);
    int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);
    int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);
    int posix_spawnattr_setpgroup(Pointer attr, int pgroup);
    int sigemptyset(Pointer set);
    int sigfillset(Pointer set);
    int sigdelset(Pointer set, int sig);

    @SaveError int socketpair(int domain, int type, int protocol, @Out int[] sv);
    @SaveError int socket(int domain, int type, int protocol);
    @SaveError int getsockopt(int fd, int level, int optname, @Out byte[] optval, IntByReference optlen);
    @SaveError long send(int fd, @In byte[] buf, long len, int flags);
    @SaveError long recv(int fd, @Out byte[] buf, long len, int flags);
    @SaveError int shutdown(int fd, int how);
    @SaveError int close(int fd);
    @SaveError int open(String path, int flags, int mode);
    @SaveError int waitpid(int pid, @Out int[] status, int options);
    @SaveError int kill(int pid, int sig);
    String strerror(int errnum);

    static int errno() {
        return jnr.ffi.LastError.getLastError(RUNTIME);
    }

    static String describe(int errno) {
        return INSTANCE.strerror(errno) + " (errno " + errno + ")";
    }
}
