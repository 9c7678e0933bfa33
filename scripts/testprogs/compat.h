/* The frame of the compatibility test programs (tests: CompatibilityEndToEndTest). Each program
 * sets up one kind of process state, prints "ready STATE", then waits. On every SIGUSR1 it checks
 * that its state is still what it made and prints one line: "ok STATE" or "FAIL STATE why".
 * A check runs after a checkpoint, restore or move and may run again later, so a check that
 * consumes something (buffered bytes, a pending signal) puts it back.
 * A program implements: static const char *STATE; static int setup(void); static int check(void);
 * both return 0 or fail through FAIL(...), which records why. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char compat_why[240];
#define FAIL(...) do { snprintf(compat_why, sizeof compat_why, __VA_ARGS__); return -1; } while (0)
#define CHECK_SYS(call) do { if ((call) < 0) FAIL("%s: %s", #call, strerror(errno)); } while (0)

static volatile sig_atomic_t compat_asked;
static void compat_on_usr1(int sig) { (void) sig; compat_asked = 1; }

/* Optional: work a program does every 20 ms while it waits (e.g. a tick count). */
__attribute__((unused)) static void (*compat_tick)(void);

__attribute__((noreturn)) static void compat_run_forever(const char *state, int (*setup)(void), int (*check)(void)) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = compat_on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    if (setup() != 0) {
        printf("FAIL %s setup: %s\n", state, compat_why);
    } else {
        printf("ready %s\n", state);
    }
    /* Polls rather than sigsuspend: a restored sigsuspend has lost its temporary mask. */
    struct timespec step = { 0, 20 * 1000 * 1000 };
    for (;;) {
        nanosleep(&step, NULL);
        if (compat_tick) compat_tick();
        if (!compat_asked) continue;
        compat_asked = 0;
        compat_why[0] = 0;
        if (check() == 0) printf("ok %s\n", state);
        else printf("FAIL %s %s\n", state, compat_why);
    }
}

/* Byte-exact pattern helpers: fills and compares a buffer with a pattern derived from seed. */
__attribute__((unused)) static void compat_fill(unsigned char *b, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) b[i] = (unsigned char) (seed * 31 + i * 7 + (i >> 8));
}
__attribute__((unused)) static int compat_same(const unsigned char *b, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) if (b[i] != (unsigned char) (seed * 31 + i * 7 + (i >> 8))) return 0;
    return 1;
}

/* The single-letter state of a task in /proc (R, S, T, Z, ...), or '?' */
__attribute__((unused)) static char compat_proc_state(pid_t pid) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return '?';
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : '?';
}

#define compat_run(state, setup, check) (compat_run_forever((state), (setup), (check)), 0)
