/*
 * Preloaded into every criu Godwit starts (LD_PRELOAD, see io.godwit.criu.SockoptShim).
 *
 * Why: Linux 6.16 restricted SO_PASSCRED and SO_PASSSEC to AF_UNIX, AF_NETLINK and AF_BLUETOOTH
 * sockets; on any other socket getsockopt() now fails with EOPNOTSUPP. CRIU 4.1.1 reads both
 * options from every socket it dumps and gives up on that error, so on such a kernel no process
 * holding a TCP or UDP socket (a listening HTTP server included) can be checkpointed at all.
 *
 * What: when the kernel answers EOPNOTSUPP for exactly those two options, this answers "off"
 * (0), which is the truth there: the option does not exist for that socket. CRIU's restore sets
 * the options only when they were on, so restores need nothing. Every other call, and both
 * options on kernels and sockets that have them, go to libc unchanged.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

typedef int (*getsockopt_fn)(int, int, int, void *, socklen_t *);

int getsockopt(int fd, int level, int name, void *value, socklen_t *len)
{
    static getsockopt_fn real;
    if (!real) {
        real = (getsockopt_fn)dlsym(RTLD_NEXT, "getsockopt");
        if (!real) {
            errno = ENOSYS;
            return -1;
        }
    }
    int rc = real(fd, level, name, value, len);
    if (rc < 0 && errno == EOPNOTSUPP && level == SOL_SOCKET && (name == SO_PASSCRED || name == SO_PASSSEC)
            && value && len && *len >= (socklen_t)sizeof(int)) {
        int off = 0;
        memcpy(value, &off, sizeof off);
        *len = sizeof off;
        errno = 0;
        return 0;
    }
    return rc;
}
