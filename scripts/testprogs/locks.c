/* Compatibility program: a file lock of one kind on a file of the container's layer.
 * Usage: locks flock|posix|ofd. The check forks a child that opens the same file anew and must
 * be refused a conflicting lock, and finds the lock in /proc/locks on the file's inode. */
#include "compat.h"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

static const char *kind;
static char state[32];
static int fd;

static int take(int on, int nonblock_cmd) {
    struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100 };
    if (strcmp(kind, "flock") == 0) return flock(on, LOCK_EX | LOCK_NB);
    return fcntl(on, nonblock_cmd, &l);
}

static int setup(void) {
    CHECK_SYS(fd = open("/tmp/locked", O_RDWR | O_CREAT, 0644));
    CHECK_SYS(write(fd, "locked\n", 7));
    CHECK_SYS(take(fd, strcmp(kind, "ofd") == 0 ? F_OFD_SETLK : F_SETLK));
    return 0;
}

/* 0: the child was refused, as it must be; else what happened. */
static int conflict_in_child(void) {
    pid_t c = fork();
    if (c < 0) return -1;
    if (c == 0) {
        int other = open("/tmp/locked", O_RDWR);
        if (other < 0) _exit(3);
        int r = take(other, strcmp(kind, "ofd") == 0 ? F_OFD_SETLK : F_SETLK);
        _exit(r == 0 ? 1 : (errno == EWOULDBLOCK || errno == EAGAIN || errno == EACCES) ? 0 : 2);
    }
    int status;
    if (waitpid(c, &status, 0) < 0 || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

static int check(void) {
    int r = conflict_in_child();
    if (r == 1) FAIL("another open of /tmp/locked got the lock: ours is gone");
    if (r != 0) FAIL("conflict test failed (%d)", r);
    struct stat st;
    CHECK_SYS(fstat(fd, &st));
    FILE *f = fopen("/proc/locks", "r");
    if (!f) FAIL("open /proc/locks: %s", strerror(errno));
    char line[256], want[64];
    snprintf(want, sizeof want, ":%lu ", (unsigned long) st.st_ino);
    int found = 0;
    const char *label = strcmp(kind, "flock") == 0 ? "FLOCK" : strcmp(kind, "ofd") == 0 ? "OFDLCK" : "POSIX";
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, label) && strstr(line, want)) found = 1;
    }
    fclose(f);
    if (!found) FAIL("no %s lock on inode %lu in /proc/locks", label, (unsigned long) st.st_ino);
    return 0;
}

int main(int argc, char **argv) {
    kind = argc > 1 ? argv[1] : "flock";
    if (strcmp(kind, "flock") && strcmp(kind, "posix") && strcmp(kind, "ofd")) {
        fprintf(stderr, "usage: locks flock|posix|ofd\n");
        return 2;
    }
    snprintf(state, sizeof state, "lock-%s", kind);
    return compat_run(state, setup, check);
}
