/* Compatibility program: a pseudo-terminal made inside the container (both ends held), its slave
 * in raw mode with a 33x111 window, unread bytes queued in each direction. The check wants the
 * settings kept and reads (then re-queues) the bytes. */
#include "compat.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>

static int master, slave;

static int queue(void) {
    if (write(master, "to-slave", 8) != 8) FAIL("write master: %s", strerror(errno));
    if (write(slave, "to-master", 9) != 9) FAIL("write slave: %s", strerror(errno));
    return 0;
}

static int setup(void) {
    CHECK_SYS(master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK));
    CHECK_SYS(grantpt(master));
    CHECK_SYS(unlockpt(master));
    CHECK_SYS(slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_NONBLOCK));
    struct termios t;
    CHECK_SYS(tcgetattr(slave, &t));
    cfmakeraw(&t);
    CHECK_SYS(tcsetattr(slave, TCSANOW, &t));
    struct winsize w = { .ws_row = 33, .ws_col = 111 };
    CHECK_SYS(ioctl(slave, TIOCSWINSZ, &w));
    return queue();
}

static int drain(int fd, const char *want, const char *what) {
    char b[64];
    size_t got = 0;
    for (int i = 0; i < 100 && got < strlen(want); i++) {
        ssize_t n = read(fd, b + got, sizeof b - got);
        if (n > 0) got += n; else usleep(10000);
    }
    if (got != strlen(want) || memcmp(b, want, got) != 0) FAIL("%s read %zu bytes, wanted '%s'", what, got, want);
    return 0;
}

static int check(void) {
    struct winsize w;
    CHECK_SYS(ioctl(slave, TIOCGWINSZ, &w));
    if (w.ws_row != 33 || w.ws_col != 111) FAIL("window is %ux%u, not 33x111", w.ws_row, w.ws_col);
    struct termios t;
    CHECK_SYS(tcgetattr(slave, &t));
    if (t.c_lflag & (ICANON | ECHO)) FAIL("slave is no longer raw (lflag %#x)", t.c_lflag);
    if (drain(slave, "to-slave", "slave") || drain(master, "to-master", "master")) return -1;
    return queue();
}

int main(void) { return compat_run("pty", setup, check); }
