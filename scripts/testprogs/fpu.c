/* Compatibility program: FPU and vector state. The rounding mode is set to upward (MXCSR and
 * x87), and a thread spins with a pattern held only in xmm8..xmm15, so that a dump catches it
 * there. The check wants the rounding mode kept (fegetround, MXCSR and the x87 control word)
 * and the registers never found changed. */
#include "compat.h"
#include <fenv.h>
#include <pthread.h>
#include <stdint.h>

static volatile unsigned long rounds, mismatches;

static void *spin(void *arg) {
    (void) arg;
    static uint64_t pattern[16] __attribute__((aligned(16)));
    uint64_t out[16] __attribute__((aligned(16)));
    for (int i = 0; i < 16; i++) pattern[i] = 0x0123456789abcdefULL * (i + 3);
    for (;;) {
        __asm__ volatile(
            "movdqa 0(%0), %%xmm8\n movdqa 16(%0), %%xmm9\n movdqa 32(%0), %%xmm10\n movdqa 48(%0), %%xmm11\n"
            "movdqa 64(%0), %%xmm12\n movdqa 80(%0), %%xmm13\n movdqa 96(%0), %%xmm14\n movdqa 112(%0), %%xmm15\n"
            "mov $20000000, %%rcx\n1: dec %%rcx\n jnz 1b\n"
            "movdqa %%xmm8, 0(%1)\n movdqa %%xmm9, 16(%1)\n movdqa %%xmm10, 32(%1)\n movdqa %%xmm11, 48(%1)\n"
            "movdqa %%xmm12, 64(%1)\n movdqa %%xmm13, 80(%1)\n movdqa %%xmm14, 96(%1)\n movdqa %%xmm15, 112(%1)\n"
            : : "r"(pattern), "r"(out)
            : "rcx", "memory", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
        if (memcmp(out, pattern, sizeof out) != 0) mismatches++;
        rounds++;
    }
    return NULL;
}

static int setup(void) {
    if (fesetround(FE_UPWARD) != 0) FAIL("fesetround");
    pthread_t t;
    if (pthread_create(&t, NULL, spin, NULL) != 0) FAIL("pthread_create");
    return 0;
}

static int check(void) {
    if (fegetround() != FE_UPWARD) FAIL("rounding mode is %#x, not upward", fegetround());
    unsigned int mxcsr;
    unsigned short cw;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    if (((mxcsr >> 13) & 3) != 2) FAIL("MXCSR rounding bits are %u, not upward (2)", (mxcsr >> 13) & 3);
    if (((cw >> 10) & 3) != 2) FAIL("x87 rounding bits are %u, not upward (2)", (cw >> 10) & 3);
    unsigned long r = rounds;
    for (int i = 0; i < 100 && rounds == r; i++) usleep(20000);
    if (rounds == r) FAIL("the vector thread stopped");
    if (mismatches) FAIL("xmm8..15 changed under the thread %lu times", mismatches);
    return 0;
}

int main(void) { return compat_run("fpu", setup, check); }
