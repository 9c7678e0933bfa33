package io.godwit.runtime;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * Not API (public only because jnr-ffi generates its implementation in another class loader).
 * The libc calls a pseudo-terminal needs: open a master, unlock its slave, name it, size it.
 */
public interface TerminalCalls {
    TerminalCalls INSTANCE = LibraryLoader.create(TerminalCalls.class).load("c");
    jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(INSTANCE);

    int O_RDWR = 02;
    int O_NOCTTY = 0400;
    int O_CLOEXEC = 02000000;
    long TIOCSWINSZ = 0x5414;

    @SaveError int posix_openpt(int flags);
    @SaveError int grantpt(int fd);
    @SaveError int unlockpt(int fd);
    @SaveError int ptsname_r(int fd, @Out byte[] buf, long size);
    /** struct winsize: rows, columns, xpixel, ypixel (unsigned shorts). */
    @SaveError int ioctl(int fd, long request, @In short[] winsize);
    @SaveError long read(int fd, @Out byte[] buf, long count);
    @SaveError long write(int fd, @In byte[] buf, long count);
    @SaveError int open(String path, int flags);
    int close(int fd);
    String strerror(int errnum);

    static int errno() {
        return jnr.ffi.LastError.getLastError(RUNTIME);
    }
}
