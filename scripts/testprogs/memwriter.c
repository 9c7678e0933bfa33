/* Test program: fills N MiB with a known pattern, then verifies it forever, printing
 * "ok <round> <checksum>" after every full pass, or "CORRUPT <offset>" and exit 3 when a
 * byte differs. A checkpoint/restore or migration that loses or mixes pages is caught.
 * Usage: memwriter MIB [SEED [WARMUP_MS [REWRITE_PCT [REWRITE_MS]]]]
 * With REWRITE_PCT, the memory changes like a long job's: every REWRITE_MS (0: never by time)
 * and on every SIGUSR1 it rewrites the next REWRITE_PCT % of its 1 MiB blocks (round robin,
 * contiguous) with a new generation of the pattern, and prints "rewrote <n> <blocks>". The
 * generation of each block lives in the same memory, so a restore that mixes generations
 * is caught as CORRUPT too. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <signal.h>
#include <time.h>
#include <sys/mman.h>

#define BLOCK_WORDS (1024 * 1024 / sizeof(uint64_t))

static uint64_t pattern(uint64_t i, uint64_t seed) {
    uint64_t x = i * 0x9E3779B97F4A7C15ull + seed;
    x ^= x >> 31; x *= 0xBF58476D1CE4E5B9ull; x ^= x >> 29;
    return x;
}

/* The seed of a block's current generation: generation 0 is the plain seed (as before the mode existed). */
static uint64_t block_seed(uint64_t seed, uint32_t gen) {
    return seed + (uint64_t)gen * 0x100000001B3ull;
}

static volatile sig_atomic_t asked;
static void on_usr1(int sig) { (void)sig; asked = 1; }

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: memwriter MIB [SEED [WARMUP_MS [REWRITE_PCT [REWRITE_MS]]]]\n"); return 2; }
    size_t mib = strtoul(argv[1], NULL, 10);
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 42;
    size_t words = mib * 1024 * 1024 / sizeof(uint64_t);
    uint64_t *mem = mmap(NULL, words * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) { perror("mmap"); return 1; }
    size_t blocks = (words + BLOCK_WORDS - 1) / BLOCK_WORDS;
    uint32_t *gen = calloc(blocks ? blocks : 1, sizeof(uint32_t));
    if (!gen) { perror("calloc"); return 1; }
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
    long rewrite_pct = argc > 4 ? atol(argv[4]) : 0;
    long rewrite_ms = argc > 5 ? atol(argv[5]) : 0;
    size_t per_rewrite = rewrite_pct > 0 ? (blocks * (size_t)rewrite_pct + 99) / 100 : 0;
    if (per_rewrite > blocks) per_rewrite = blocks;
    if (per_rewrite > 0) signal(SIGUSR1, on_usr1);
    size_t cursor = 0;
    unsigned long rewrites = 0;
    long last_rewrite = now_ms();
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("filled %zu MiB sum %016llx\n", mib, (unsigned long long)sum);
    struct timespec pause = { 0, 200 * 1000000L };
    for (unsigned long round = 1;; round++) {
        uint64_t check = 0;
        for (size_t i = 0; i < words; i++) {
            if (mem[i] != pattern(i, block_seed(seed, gen[i / BLOCK_WORDS]))) {
                printf("CORRUPT %zu\n", i * sizeof(uint64_t));
                return 3;
            }
            check += mem[i];
        }
        printf("ok %lu %016llx\n", round, (unsigned long long)check);
        if (per_rewrite > 0 && (asked || (rewrite_ms > 0 && now_ms() - last_rewrite >= rewrite_ms))) {
            asked = 0;
            for (size_t n = 0; n < per_rewrite; n++, cursor = (cursor + 1) % blocks) {
                uint64_t s = block_seed(seed, ++gen[cursor]);
                size_t end = (cursor + 1) * BLOCK_WORDS < words ? (cursor + 1) * BLOCK_WORDS : words;
                for (size_t i = cursor * BLOCK_WORDS; i < end; i++) mem[i] = pattern(i, s);
            }
            last_rewrite = now_ms();
            printf("rewrote %lu %zu\n", ++rewrites, per_rewrite);
            continue; /* verify the new generation at once */
        }
        nanosleep(&pause, NULL);
    }
}
