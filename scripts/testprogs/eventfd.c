/* Compatibility program: an eventfd holding a count (42) and a semaphore-mode eventfd holding 3.
 * The check reads the counts and puts them back. */
#include "compat.h"
#include <stdint.h>
#include <sys/eventfd.h>

static int counter, semaphore;

static int setup(void) {
    CHECK_SYS(counter = eventfd(0, EFD_NONBLOCK));
    uint64_t v = 42;
    CHECK_SYS(write(counter, &v, sizeof v));
    CHECK_SYS(semaphore = eventfd(3, EFD_NONBLOCK | EFD_SEMAPHORE));
    return 0;
}

static int check(void) {
    uint64_t v = 0;
    if (read(counter, &v, sizeof v) != sizeof v) FAIL("counter empty: %s", strerror(errno));
    if (v != 42) FAIL("counter holds %llu, not 42", (unsigned long long) v);
    CHECK_SYS(write(counter, &v, sizeof v));
    int taken = 0;
    while (read(semaphore, &v, sizeof v) == sizeof v) taken++;
    if (taken != 3) FAIL("semaphore gave %d, not 3", taken);
    v = 3;
    CHECK_SYS(write(semaphore, &v, sizeof v));
    return 0;
}

int main(void) { return compat_run("eventfd", setup, check); }
