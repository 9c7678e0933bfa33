/* Compatibility program: a zombie child (exited with 42, never reaped). The check wants it still
 * a zombie with its exit status, looked at without reaping it. */
#include "compat.h"
#include <sys/wait.h>

static pid_t child;

static int setup(void) {
    CHECK_SYS(child = fork());
    if (child == 0) _exit(42);
    for (int i = 0; i < 100 && compat_proc_state(child) != 'Z'; i++) usleep(10000);
    return 0;
}

static int check(void) {
    char s = compat_proc_state(child);
    if (s != 'Z') FAIL("child %d is in state %c, not a zombie", child, s);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    CHECK_SYS(waitid(P_PID, child, &si, WEXITED | WNOWAIT | WNOHANG));
    if (si.si_pid != child || si.si_code != CLD_EXITED || si.si_status != 42)
        FAIL("child %d reports code %d status %d", child, si.si_code, si.si_status);
    return 0;
}

int main(void) { return compat_run("zombie", setup, check); }
