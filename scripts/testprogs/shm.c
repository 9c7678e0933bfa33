/* Compatibility program: shared memory. Usage: shm sysv|posix. sysv: a SysV segment of 64 KiB
 * (key 0x6d0d) attached and filled; posix: /dev/shm/compat of 64 KiB mapped shared and filled.
 * The check compares the mapping with the pattern and with a fresh look at the same segment. */
#include "compat.h"
#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>

static const size_t SIZE = 64 * 1024;
static int sysv;
static int shmid;
static unsigned char *mem;

static int setup(void) {
    if (sysv) {
        CHECK_SYS(shmid = shmget(0x6d0d, SIZE, IPC_CREAT | IPC_EXCL | 0600));
        mem = shmat(shmid, NULL, 0);
        if (mem == (void *) -1) FAIL("shmat: %s", strerror(errno));
    } else {
        int fd;
        CHECK_SYS(fd = shm_open("/compat", O_CREAT | O_EXCL | O_RDWR, 0600));
        CHECK_SYS(ftruncate(fd, SIZE));
        mem = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        close(fd);
        if (mem == MAP_FAILED) FAIL("mmap: %s", strerror(errno));
    }
    compat_fill(mem, SIZE, 11);
    return 0;
}

static int check(void) {
    if (!compat_same(mem, SIZE, 11)) FAIL("the mapping's content changed");
    unsigned char *again;
    if (sysv) {
        int id = shmget(0x6d0d, 0, 0);
        if (id != shmid) FAIL("key 0x6d0d now names segment %d, not %d", id, shmid);
        again = shmat(id, NULL, SHM_RDONLY);
        if (again == (void *) -1) FAIL("shmat again: %s", strerror(errno));
    } else {
        int fd = shm_open("/compat", O_RDONLY, 0);
        if (fd < 0) FAIL("shm_open again: %s", strerror(errno));
        again = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0);
        close(fd);
        if (again == MAP_FAILED) FAIL("mmap again: %s", strerror(errno));
    }
    mem[100] ^= 0xff; /* shared: a change shows through the other mapping */
    int shared = again[100] == mem[100];
    mem[100] ^= 0xff;
    if (sysv) shmdt(again); else munmap(again, SIZE);
    if (!shared) FAIL("the mapping is no longer shared with the segment");
    return 0;
}

int main(int argc, char **argv) {
    sysv = argc > 1 && strcmp(argv[1], "sysv") == 0;
    return compat_run(sysv ? "shm-sysv" : "shm-posix", setup, check);
}
