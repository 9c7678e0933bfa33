/* Compatibility program: semaphores: a SysV set of three (1, 5, 0; key 0x5e4a), a POSIX named
 * semaphore (/compat-sem, 3) and a POSIX unnamed one in shared memory (2). The check wants the
 * values and takes and gives one of each. */
#include "compat.h"
#include <fcntl.h>
#include <semaphore.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>

static int semid;
static sem_t *named, *unnamed;

static int setup(void) {
    CHECK_SYS(semid = semget(0x5e4a, 3, IPC_CREAT | IPC_EXCL | 0600));
    unsigned short v[3] = { 1, 5, 0 };
    CHECK_SYS(semctl(semid, 0, SETALL, v));
    named = sem_open("/compat-sem", O_CREAT | O_EXCL, 0600, 3);
    if (named == SEM_FAILED) FAIL("sem_open: %s", strerror(errno));
    unnamed = mmap(NULL, sizeof *unnamed, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (unnamed == MAP_FAILED) FAIL("mmap: %s", strerror(errno));
    CHECK_SYS(sem_init(unnamed, 1, 2));
    return 0;
}

static int check(void) {
    unsigned short v[3];
    CHECK_SYS(semctl(semid, 0, GETALL, v));
    if (v[0] != 1 || v[1] != 5 || v[2] != 0) FAIL("SysV values %u %u %u, not 1 5 0", v[0], v[1], v[2]);
    struct sembuf take = { 1, -1, IPC_NOWAIT }, give = { 1, 1, 0 };
    CHECK_SYS(semop(semid, &take, 1));
    CHECK_SYS(semop(semid, &give, 1));
    int n;
    CHECK_SYS(sem_getvalue(named, &n));
    if (n != 3) FAIL("named semaphore is %d, not 3", n);
    CHECK_SYS(sem_trywait(named));
    CHECK_SYS(sem_post(named));
    CHECK_SYS(sem_getvalue(unnamed, &n));
    if (n != 2) FAIL("unnamed semaphore is %d, not 2", n);
    CHECK_SYS(sem_trywait(unnamed));
    CHECK_SYS(sem_post(unnamed));
    if (semget(0x5e4a, 0, 0) != semid) FAIL("key 0x5e4a no longer names set %d", semid);
    return 0;
}

int main(void) { return compat_run("semaphores", setup, check); }
