/* Compatibility program: POSIX timers (one signalling SIGRTMIN every 50 ms, one SIGEV_NONE with a
 * 1 s interval) and an interval itimer (SIGALRM every 100 ms). The check wants the intervals as
 * set and both signalling timers still firing. */
#include "compat.h"
#include <sys/time.h>

static volatile sig_atomic_t rt_fired, alarm_fired;
static timer_t signalling, silent;

static void on_rt(int s) { (void) s; rt_fired++; }
static void on_alarm(int s) { (void) s; alarm_fired++; }

static int setup(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = on_rt;
    sigaction(SIGRTMIN, &sa, NULL);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN };
    CHECK_SYS(timer_create(CLOCK_MONOTONIC, &ev, &signalling));
    struct itimerspec fifty = { { 0, 50000000 }, { 0, 50000000 } };
    CHECK_SYS(timer_settime(signalling, 0, &fifty, NULL));
    struct sigevent none = { .sigev_notify = SIGEV_NONE };
    CHECK_SYS(timer_create(CLOCK_MONOTONIC, &none, &silent));
    struct itimerspec second = { { 1, 0 }, { 1, 0 } };
    CHECK_SYS(timer_settime(silent, 0, &second, NULL));
    struct itimerval tenth = { { 0, 100000 }, { 0, 100000 } };
    CHECK_SYS(setitimer(ITIMER_REAL, &tenth, NULL));
    return 0;
}

static int check(void) {
    struct itimerspec t;
    CHECK_SYS(timer_gettime(signalling, &t));
    if (t.it_interval.tv_sec != 0 || t.it_interval.tv_nsec != 50000000) FAIL("signalling timer's interval changed");
    CHECK_SYS(timer_gettime(silent, &t));
    if (t.it_interval.tv_sec != 1 || t.it_interval.tv_nsec != 0) FAIL("silent timer's interval changed");
    if (t.it_value.tv_sec == 0 && t.it_value.tv_nsec == 0) FAIL("silent timer is disarmed");
    struct itimerval it;
    CHECK_SYS(getitimer(ITIMER_REAL, &it));
    if (it.it_interval.tv_sec != 0 || it.it_interval.tv_usec != 100000) FAIL("itimer's interval changed");
    int rt = rt_fired, al = alarm_fired;
    for (int i = 0; i < 50 && (rt_fired == rt || alarm_fired == al); i++) {
        struct timespec d = { 0, 20000000 };
        nanosleep(&d, NULL);
    }
    if (rt_fired == rt) FAIL("SIGRTMIN timer stopped firing");
    if (alarm_fired == al) FAIL("itimer stopped firing");
    return 0;
}

int main(void) { return compat_run("timers", setup, check); }
