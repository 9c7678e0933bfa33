/* Compatibility program: a sealed memfd ("compat", 16 KiB, sealed against shrink, grow, write and
 * further seals) mapped read-only. The check wants content, seals and name kept, and writes refused. */
#include "compat.h"
#include <fcntl.h>
#include <sys/mman.h>

static const size_t SIZE = 16 * 1024;
static const int SEALS = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL;
static int fd;
static unsigned char *map;

static int setup(void) {
    CHECK_SYS(fd = memfd_create("compat", MFD_ALLOW_SEALING));
    unsigned char b[16 * 1024];
    compat_fill(b, SIZE, 13);
    if (write(fd, b, SIZE) != (ssize_t) SIZE) FAIL("write: %s", strerror(errno));
    CHECK_SYS(fcntl(fd, F_ADD_SEALS, SEALS));
    map = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) FAIL("mmap: %s", strerror(errno));
    return 0;
}

static int check(void) {
    int seals = fcntl(fd, F_GET_SEALS);
    if (seals != SEALS) FAIL("seals %#x, not %#x", seals, SEALS);
    unsigned char b[16 * 1024];
    if (pread(fd, b, SIZE, 0) != (ssize_t) SIZE || !compat_same(b, SIZE, 13)) FAIL("content changed");
    if (!compat_same(map, SIZE, 13)) FAIL("mapping's content changed");
    if (pwrite(fd, "x", 1, 0) >= 0 || errno != EPERM) FAIL("a write was not refused");
    char link[64], path[32];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    if (strncmp(link, "/memfd:compat", 13) != 0) FAIL("fd now links to %s", link);
    return 0;
}

int main(void) { return compat_run("memfd", setup, check); }
