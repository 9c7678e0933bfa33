/* Compatibility program: a pipe grown to 128 KiB holding 3000 unread bytes, and a FIFO
 * (/tmp/compat-fifo) held open at both ends with 100 unread bytes. The check reads the bytes
 * and writes them back. */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>

static int p[2], fifo;
static unsigned char data[3000];

static int setup(void) {
    CHECK_SYS(pipe2(p, O_NONBLOCK));
    CHECK_SYS(fcntl(p[0], F_SETPIPE_SZ, 128 * 1024));
    compat_fill(data, sizeof data, 9);
    if (write(p[1], data, sizeof data) != sizeof data) FAIL("pipe write: %s", strerror(errno));
    CHECK_SYS(mkfifo("/tmp/compat-fifo", 0600));
    CHECK_SYS(fifo = open("/tmp/compat-fifo", O_RDWR | O_NONBLOCK));
    if (write(fifo, data, 100) != 100) FAIL("fifo write: %s", strerror(errno));
    return 0;
}

static int check(void) {
    int size = fcntl(p[0], F_GETPIPE_SZ);
    if (size != 128 * 1024) FAIL("pipe size %d, not 131072", size);
    unsigned char b[4000];
    ssize_t n = read(p[0], b, sizeof b);
    if (n != sizeof data || !compat_same(b, sizeof data, 9)) FAIL("pipe gave %zd bytes, not its 3000", n);
    if (write(p[1], b, n) != n) FAIL("pipe write back: %s", strerror(errno));
    n = read(fifo, b, sizeof b);
    if (n != 100 || !compat_same(b, 100, 9)) FAIL("fifo gave %zd bytes, not its 100", n);
    if (write(fifo, b, n) != n) FAIL("fifo write back: %s", strerror(errno));
    struct stat st;
    CHECK_SYS(stat("/tmp/compat-fifo", &st));
    if (!S_ISFIFO(st.st_mode)) FAIL("/tmp/compat-fifo is no longer a FIFO");
    return 0;
}

int main(void) { return compat_run("pipes", setup, check); }
