package io.godwit.transfer.internal;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * Not API (public only because jnr-ffi generates its implementation in another class loader).
 * The libc calls for what the JDK cannot reach: extended attributes of every namespace (the JDK
 * only sees user.*) and the data/hole layout of sparse files (lseek SEEK_DATA/SEEK_HOLE). The
 * l*xattr calls work on the name itself and never follow a symbolic link.
 */
public interface FileCalls {
    FileCalls INSTANCE = LibraryLoader.create(FileCalls.class).load("c");
    jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(INSTANCE);

    int O_RDONLY = 0;
    int O_NONBLOCK = 0x800;
    int O_NOFOLLOW = 0x20000;
    int O_CLOEXEC = 0x80000;
    int SEEK_END = 2;
    int SEEK_DATA = 3;
    int SEEK_HOLE = 4;
    int ENOENT = 2;
    int ENXIO = 6;
    int ERANGE = 34;
    int ENODATA = 61;
    int ELOOP = 40;
    int ENOTSUP = 95;

    @SaveError int open(String path, int flags, int mode);
    @SaveError int close(int fd);
    @SaveError long lseek(int fd, long offset, int whence);
    @SaveError long pread(int fd, @Out byte[] buf, long count, long offset);
    @SaveError int truncate(String path, long length);
    @SaveError long llistxattr(String path, @Out byte[] list, long size);
    @SaveError long lgetxattr(String path, String name, @Out byte[] value, long size);
    @SaveError int lsetxattr(String path, String name, @In byte[] value, long size, int flags);
    @SaveError int lremovexattr(String path, String name);
    String strerror(int errnum);

    static int errno() {
        return jnr.ffi.LastError.getLastError(RUNTIME);
    }

    static String describe(int errno) {
        return INSTANCE.strerror(errno) + " (errno " + errno + ")";
    }
}
