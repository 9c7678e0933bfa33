/* Compatibility program: sessions and process groups: child A leads a new session, its child B
 * leads its own group in A's session, child C leads a group in init's session. The check wants
 * every sid and pgid as made. */
#include "compat.h"
#include <sys/wait.h>

static pid_t a, b, c;

static int setup(void) {
    int p[2];
    CHECK_SYS(pipe(p));
    CHECK_SYS(a = fork());
    if (a == 0) {
        setsid();
        pid_t grandchild = fork();
        if (grandchild == 0) { setpgid(0, 0); for (;;) pause(); }
        if (write(p[1], &grandchild, sizeof grandchild) < 0) _exit(1);
        for (;;) pause();
    }
    if (read(p[0], &b, sizeof b) != sizeof b) FAIL("no pid from the session leader");
    CHECK_SYS(c = fork());
    if (c == 0) { setpgid(0, 0); for (;;) pause(); }
    setpgid(c, c);
    for (int i = 0; i < 100 && (getpgid(b) != b || getpgid(c) != c); i++) usleep(10000);
    return 0;
}

static int check(void) {
    if (getsid(a) != a || getpgid(a) != a) FAIL("A (%d): sid %d pgid %d", a, getsid(a), getpgid(a));
    if (getsid(b) != a || getpgid(b) != b) FAIL("B (%d): sid %d pgid %d, wanted %d %d", b, getsid(b), getpgid(b), a, b);
    if (getsid(c) != getsid(0) || getpgid(c) != c) FAIL("C (%d): sid %d pgid %d", c, getsid(c), getpgid(c));
    if (getsid(0) != getpid()) FAIL("init is no longer its session's leader");
    return 0;
}

int main(void) { return compat_run("sessions", setup, check); }
