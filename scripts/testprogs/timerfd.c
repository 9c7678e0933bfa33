/* Compatibility program: a periodic timerfd (CLOCK_MONOTONIC, 50 ms) and an absolute one on
 * CLOCK_REALTIME far in the future. The check wants the settings kept and ticks read back. */
#include "compat.h"
#include <stdint.h>
#include <sys/timerfd.h>

static int periodic, absolute;
static time_t far_away;

static int setup(void) {
    CHECK_SYS(periodic = timerfd_create(CLOCK_MONOTONIC, 0));
    struct itimerspec fifty = { { 0, 50000000 }, { 0, 50000000 } };
    CHECK_SYS(timerfd_settime(periodic, 0, &fifty, NULL));
    CHECK_SYS(absolute = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK));
    far_away = time(NULL) + 100000;
    struct itimerspec at = { { 0, 0 }, { far_away, 0 } };
    CHECK_SYS(timerfd_settime(absolute, TFD_TIMER_ABSTIME, &at, NULL));
    return 0;
}

static int check(void) {
    struct itimerspec t;
    CHECK_SYS(timerfd_gettime(periodic, &t));
    if (t.it_interval.tv_sec != 0 || t.it_interval.tv_nsec != 50000000) FAIL("periodic interval changed");
    uint64_t ticks = 0;
    if (read(periodic, &ticks, sizeof ticks) != sizeof ticks || ticks == 0) FAIL("no tick: %s", strerror(errno));
    CHECK_SYS(timerfd_gettime(absolute, &t));
    time_t due = time(NULL) + t.it_value.tv_sec;
    if (due < far_away - 5 || due > far_away + 5) FAIL("absolute timer due in %ld s, not at its time", (long) t.it_value.tv_sec);
    if (read(absolute, &ticks, sizeof ticks) >= 0 || errno != EAGAIN) FAIL("absolute timer fired early");
    return 0;
}

int main(void) { return compat_run("timerfd", setup, check); }
