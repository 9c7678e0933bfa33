/* Compatibility program: four threads, each with its own name (worker-N), thread-local id,
 * blocked signal (SIGRTMIN+N) and counter. The check wants all five tasks, their names and
 * masks, and every counter moving. */
#include "compat.h"
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define N 4
static __thread int my_id = -1;
static volatile unsigned long count[N];
static volatile int tid[N], tls_broken;

static void *work(void *arg) {
    int id = (int) (long) arg;
    my_id = id;
    char name[16];
    snprintf(name, sizeof name, "worker-%d", id);
    prctl(PR_SET_NAME, name);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGRTMIN + id);
    pthread_sigmask(SIG_BLOCK, &m, NULL);
    tid[id] = syscall(SYS_gettid);
    struct timespec t = { 0, 5000000 };
    for (;;) {
        if (my_id != id) tls_broken = 1;
        count[id]++;
        nanosleep(&t, NULL);
    }
    return NULL;
}

static int setup(void) {
    for (long i = 0; i < N; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, work, (void *) i) != 0) FAIL("pthread_create %ld", i);
    }
    for (int i = 0; i < 200 && (tid[0] == 0 || tid[1] == 0 || tid[2] == 0 || tid[3] == 0); i++) usleep(5000);
    return 0;
}

static int check(void) {
    unsigned long before[N];
    for (int i = 0; i < N; i++) before[i] = count[i];
    usleep(300000);
    for (int i = 0; i < N; i++) {
        if (count[i] == before[i]) FAIL("thread %d stopped", i);
        char path[64], text[256], want[16];
        snprintf(path, sizeof path, "/proc/self/task/%d/comm", tid[i]);
        FILE *f = fopen(path, "r");
        if (!f) FAIL("thread %d (tid %d) is gone", i, tid[i]);
        if (!fgets(text, sizeof text, f)) text[0] = 0;
        fclose(f);
        snprintf(want, sizeof want, "worker-%d\n", i);
        if (strcmp(text, want) != 0) FAIL("thread %d is named %s", i, text);
        snprintf(path, sizeof path, "/proc/self/task/%d/status", tid[i]);
        f = fopen(path, "r");
        unsigned long long blocked = 0;
        while (f && fgets(text, sizeof text, f)) sscanf(text, "SigBlk: %llx", &blocked);
        if (f) fclose(f);
        if (!(blocked & (1ULL << (SIGRTMIN + i - 1)))) FAIL("thread %d lost its blocked SIGRTMIN+%d", i, i);
    }
    if (tls_broken) FAIL("a thread saw another's thread-local id");
    return 0;
}

int main(void) { return compat_run("threads", setup, check); }
