/* Compatibility program: the vDSO. The check wants [vdso] mapped where the auxiliary vector says,
 * and the vDSO's clocks (through libc) to agree with the system calls to within a second. */
#include "compat.h"
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>

static int setup(void) {
    if (getauxval(AT_SYSINFO_EHDR) == 0) FAIL("no vDSO in the auxiliary vector");
    return 0;
}

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static int check(void) {
    char line[256];
    int mapped = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    while (f && fgets(line, sizeof line, f)) if (strstr(line, "[vdso]")) mapped = 1;
    if (f) fclose(f);
    if (!mapped) FAIL("no [vdso] mapping");
    clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME };
    for (int i = 0; i < 3; i++) {
        struct timespec v, s;
        for (int k = 0; k < 1000; k++) clock_gettime(clocks[i], &v);
        syscall(SYS_clock_gettime, clocks[i], &s);
        long long d = ns(s) - ns(v);
        if (d < 0 || d > 1000000000LL) FAIL("clock %d: vDSO and syscall differ by %lld ns", clocks[i], d);
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    time_t now = syscall(SYS_time, NULL);
    if (now - tv.tv_sec > 1 || tv.tv_sec - now > 1) FAIL("gettimeofday and time differ");
    return 0;
}

int main(void) { return compat_run("vdso", setup, check); }
