/* Test program: fills N MiB with a known pattern, then verifies it forever, printing
 * "ok <round> <checksum>" after every full pass, or "CORRUPT <offset>" and exit 3 when a
 * byte differs. A checkpoint/restore or migration that loses or mixes pages is caught.
 * Usage: memwriter MIB [seed] */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <time.h>
#include <sys/mman.h>

static uint64_t pattern(uint64_t i, uint64_t seed) {
    uint64_t x = i * 0x9E3779B97F4A7C15ull + seed;
    x ^= x >> 31; x *= 0xBF58476D1CE4E5B9ull; x ^= x >> 29;
    return x;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: memwriter MIB [SEED [WARMUP_MS]]\n"); return 2; }
    size_t mib = strtoul(argv[1], NULL, 10);
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 42;
    size_t words = mib * 1024 * 1024 / sizeof(uint64_t);
    uint64_t *mem = mmap(NULL, words * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) { perror("mmap"); return 1; }
    uint64_t sum = 0;
    for (size_t i = 0; i < words; i++) { mem[i] = pattern(i, seed); sum += mem[i]; }
    /* An expensive warm-up, like a runtime compiling or a model loading: CPU work over the
     * memory for WARMUP_MS of its own CPU time before it calls itself ready. Warm starts skip it. */
    long warmup_ms = argc > 3 ? atol(argv[3]) : 0;
    struct timespec t0, now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    for (;;) {
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
        long spent = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (spent >= warmup_ms) break;
        uint64_t again = 0;
        for (size_t i = 0; i < words; i += 8) again += mem[i] * 0x9e3779b97f4a7c15ULL;
        if (again == 1) printf("unlikely\n");
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("filled %zu MiB sum %016llx\n", mib, (unsigned long long)sum);
    struct timespec pause = { 0, 200 * 1000000L };
    for (unsigned long round = 1;; round++) {
        uint64_t check = 0;
        for (size_t i = 0; i < words; i++) {
            if (mem[i] != pattern(i, seed)) {
                printf("CORRUPT %zu\n", i * sizeof(uint64_t));
                return 3;
            }
            check += mem[i];
        }
        printf("ok %lu %016llx\n", round, (unsigned long long)check);
        nanosleep(&pause, NULL);
    }
}
