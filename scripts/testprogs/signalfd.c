/* Compatibility program: a signalfd for SIGUSR2 and SIGRTMIN+1, both blocked and pending (the
 * real-time one queued with a value). The check reads them through the signalfd and raises them again. */
#include "compat.h"
#include <sys/signalfd.h>

static int sfd;

static int pend(void) {
    CHECK_SYS(kill(getpid(), SIGUSR2));
    union sigval v = { .sival_int = 77 };
    CHECK_SYS(sigqueue(getpid(), SIGRTMIN + 1, v));
    return 0;
}

static int setup(void) {
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    sigaddset(&m, SIGRTMIN + 1);
    CHECK_SYS(sigprocmask(SIG_BLOCK, &m, NULL));
    CHECK_SYS(sfd = signalfd(-1, &m, SFD_NONBLOCK));
    return pend();
}

static int check(void) {
    int usr2 = 0, rt = 0;
    struct signalfd_siginfo si;
    while (read(sfd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGUSR2) usr2++;
        if ((int) si.ssi_signo == SIGRTMIN + 1 && si.ssi_int == 77) rt++;
    }
    if (usr2 != 1) FAIL("SIGUSR2 read %d times, not once", usr2);
    if (rt != 1) FAIL("SIGRTMIN+1 with value 77 read %d times, not once", rt);
    return pend();
}

int main(void) { return compat_run("signalfd", setup, check); }
