/* Compatibility program: an epoll instance watching a pipe (level-triggered, cookie 0xC0FFEE) and
 * an eventfd (edge-triggered, cookie 0xBEEF). The check makes both ready and wants both cookies. */
#include "compat.h"
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

static int ep, p[2], efd;

static int setup(void) {
    CHECK_SYS(pipe(p));
    CHECK_SYS(efd = eventfd(0, EFD_NONBLOCK));
    CHECK_SYS(ep = epoll_create1(0));
    struct epoll_event e = { .events = EPOLLIN, .data.u64 = 0xC0FFEE };
    CHECK_SYS(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e));
    struct epoll_event f = { .events = EPOLLIN | EPOLLET, .data.u64 = 0xBEEF };
    CHECK_SYS(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &f));
    return 0;
}

static int check(void) {
    CHECK_SYS(write(p[1], "x", 1));
    uint64_t one = 1;
    CHECK_SYS(write(efd, &one, sizeof one));
    int pipe_seen = 0, efd_seen = 0;
    struct epoll_event ev[4];
    int n = epoll_wait(ep, ev, 4, 1000);
    for (int i = 0; i < n; i++) {
        if (ev[i].data.u64 == 0xC0FFEE) pipe_seen = 1;
        if (ev[i].data.u64 == 0xBEEF) efd_seen = 1;
    }
    char c;
    if (read(p[0], &c, 1) != 1) FAIL("pipe read: %s", strerror(errno));
    uint64_t v;
    if (read(efd, &v, sizeof v) != sizeof v) FAIL("eventfd read: %s", strerror(errno));
    if (!pipe_seen) FAIL("no event with the pipe's cookie (%d events)", n);
    if (!efd_seen) FAIL("no event with the eventfd's cookie (%d events)", n);
    return 0;
}

int main(void) { return compat_run("epoll", setup, check); }
