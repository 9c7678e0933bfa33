package io.godwit.runtime.image;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * Not API (public only because jnr-ffi generates its implementation in another class loader).
 * Extended attributes of any namespace, on the name itself (a link is never followed): the JDK
 * reaches only user.*, and overlayfs keeps its marks in trusted.overlay.*.
 */
public interface XattrCalls {
    XattrCalls INSTANCE = LibraryLoader.create(XattrCalls.class).load("c");
    jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(INSTANCE);

    int ENODATA = 61;
    int ENOTSUP = 95;

    @SaveError long lgetxattr(String path, String name, @Out byte[] value, long size);
    @SaveError int lsetxattr(String path, String name, @In byte[] value, long size, int flags);
    @SaveError int lremovexattr(String path, String name);
    String strerror(int errnum);

    static int errno() {
        return jnr.ffi.LastError.getLastError(RUNTIME);
    }
}
