/* Compatibility program: a child stopped by SIGSTOP (and a running one beside it). The check
 * wants the stopped child still stopped ('T') and the other one still counting. */
#include "compat.h"
#include <sys/wait.h>
#include <sys/mman.h>

static pid_t stopped_child, running_child;
static volatile unsigned long *ticks;

static int setup(void) {
    ticks = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (ticks == MAP_FAILED) FAIL("mmap: %s", strerror(errno));
    CHECK_SYS(stopped_child = fork());
    if (stopped_child == 0) for (;;) pause();
    CHECK_SYS(running_child = fork());
    if (running_child == 0) {
        struct timespec t = { 0, 10 * 1000 * 1000 };
        for (;;) { (*ticks)++; nanosleep(&t, NULL); }
    }
    CHECK_SYS(kill(stopped_child, SIGSTOP));
    int status;
    CHECK_SYS(waitpid(stopped_child, &status, WUNTRACED));
    if (!WIFSTOPPED(status)) FAIL("child %d did not stop (status %#x)", stopped_child, status);
    return 0;
}

static int check(void) {
    char s = compat_proc_state(stopped_child);
    if (s != 'T') FAIL("stopped child %d is in state %c", stopped_child, s);
    unsigned long before = *ticks;
    struct timespec t = { 0, 200 * 1000 * 1000 };
    nanosleep(&t, NULL);
    if (*ticks == before) FAIL("running child %d stopped counting", running_child);
    return 0;
}

int main(void) { return compat_run("stopped", setup, check); }
