package io.godwit.criu;

import io.godwit.criu.internal.LibC;
import jnr.ffi.byref.IntByReference;

/**
 * Whether CRIU can dump an established TCP connection on this kernel. CRIU reads SO_PASSCRED
 * of every socket it dumps; some kernels refuse that option on TCP sockets (EOPNOTSUPP), and
 * every dump of a container with a TCP socket then fails with "Can't get 1:16 opt". Asking the
 * kernel the same question on a throwaway socket tells without a dump. Where the kernel refuses,
 * {@link SockoptShim} (preloaded into every criu Godwit starts) answers for it; the problem then
 * says so.
 */
public final class TcpDumpCheck {
    private static final int AF_INET = 2;
    private static final int SOCK_STREAM = 1;
    private static final int SOL_SOCKET = 1;
    private static final int SO_PASSCRED = 16;

    private TcpDumpCheck() {}

    /** Null when the kernel answers (TCP sockets can be dumped); else why not, in CRIU's terms. */
    public static String problem() {
        LibC c = LibC.INSTANCE;
        int fd = c.socket(AF_INET, SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) return "cannot make a TCP socket to ask: " + LibC.describe(LibC.errno());
        try {
            byte[] val = new byte[4];
            IntByReference len = new IntByReference(4);
            if (c.getsockopt(fd, SOL_SOCKET, SO_PASSCRED, val, len) == 0) return null;
            String refused = "the kernel refuses getsockopt(SO_PASSCRED) on TCP sockets (" + LibC.describe(LibC.errno()) + ")";
            // the shim preloaded into every criu answers exactly that question, so listening sockets dump
            // and restore (SockoptShimTest); open connections are not tested yet, so this is still said
            return SockoptShim.path() != null
                    ? refused + "; the getsockopt shim preloaded into criu answers it (listening sockets are"
                            + " checkpointed; open connections are not tested on such a kernel)"
                    : refused + " and the getsockopt shim is missing: CRIU fails on them with \"Can't get 1:16 opt\"";
        } finally {
            c.close(fd);
        }
    }
}
