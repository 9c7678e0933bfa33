/*
 * escape: tries, from inside a container, the ways out that a confined container must refuse,
 * and prints one line per attempt: "NAME blocked (reason)" or "NAME ESCAPED (what happened)".
 * Every attempt is made harmless in case it is not blocked: invalid magic numbers, opens for
 * writing without a write, a clock set to the time it already is, an invalid kexec segment count.
 *
 *   escape [HOSTPID]           one round, then exit (status 1 if anything escaped)
 *   escape --serve [HOSTPID]   a round now and one more on every SIGUSR1, forever (a container's
 *                              init whose confinement is probed again after checkpoint/restore/move)
 * HOSTPID: a process outside the container to try ptrace on (the test passes its own pid).
 * The last line of a round is "escape round N: A attempts, E escaped".
 * "sync" is not an escape: it says whether sync(2) is allowed (for custom seccomp profiles).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int attempts, escaped, round_no;
static pid_t host_pid;
static volatile sig_atomic_t again;

static void result(const char *name, int ok, int err, const char *what) {
    attempts++;
    if (ok) { escaped++; printf("%-22s ESCAPED (%s)\n", name, what); }
    else printf("%-22s blocked (%s)\n", name, strerror(err));
}

/* A syscall's return: -1 with errno is blocked, anything else got through. */
static void call(const char *name, long rc, const char *what) {
    result(name, rc != -1, errno, what);
}

static void try_open_write(const char *name, const char *path) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) close(fd); /* never written: opening for write is the escape */
    call(name, fd, "opened for writing");
}

static void try_mount(const char *name, const char *src, const char *type, const char *data) {
    char dir[64]; snprintf(dir, sizeof dir, "/tmp/escape-%s-%d", type, round_no);
    mkdir(dir, 0700);
    long rc = mount(src, dir, type, 0, data);
    if (rc == 0 && !strcmp(type, "cgroup")) {
        char ra[128]; snprintf(ra, sizeof ra, "%s/release_agent", dir);
        int fd = open(ra, O_WRONLY | O_CLOEXEC);
        result("cgroup-release_agent", fd >= 0, errno, "release_agent opened for writing");
        if (fd >= 0) close(fd);
    }
    if (rc == 0) umount2(dir, MNT_DETACH);
    rmdir(dir);
    call(name, rc, "mounted");
}

static void try_block_device(void) {
    char node[64]; snprintf(node, sizeof node, "/tmp/escape-sda-%d", round_no);
    /* mknod itself may be allowed (as in runc); using the node must not be */
    int rc = mknod(node, S_IFBLK | 0600, makedev(8, 0));
    int fd = rc == 0 ? open(node, O_RDONLY | O_CLOEXEC) : -1;
    int err = errno;
    if (fd >= 0) close(fd);
    errno = err;
    call("blockdev-open", fd, "block device 8:0 opened");
    if (rc == 0) {
        char dir[64]; snprintf(dir, sizeof dir, "/tmp/escape-mnt-%d", round_no);
        mkdir(dir, 0700);
        long m = mount(node, dir, "ext4", MS_RDONLY, NULL);
        if (m == 0) umount2(dir, MNT_DETACH);
        call("blockdev-mount", m, "block device mounted");
        rmdir(dir);
        unlink(node);
    } else call("blockdev-mount", -1, "");
}

static void try_unshare(const char *name, int flags) {
    pid_t p = fork();
    if (p == 0) {
        if (unshare(flags) < 0) _exit(errno);
        /* with a user namespace we would be "root" there: can we mount now? */
        if (flags & CLONE_NEWUSER) {
            if (unshare(CLONE_NEWNS) < 0) _exit(100);
            if (mount("tmpfs", "/tmp", "tmpfs", 0, NULL) < 0) _exit(101);
        }
        _exit(0);
    }
    int st = 0;
    waitpid(p, &st, 0);
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
    if (code >= 100 && code < 200) result(name, 1, 0, code == 100 ? "new user ns (mount ns refused)" : "new user ns (mount refused)");
    else { errno = code; result(name, code == 0, code, "namespace created"); }
}

static void round_once(void) {
    attempts = escaped = 0;
    round_no++;
    try_block_device();
    try_mount("mount-proc", "proc", "proc", NULL);
    try_mount("mount-sysfs", "sysfs", "sysfs", NULL);
    try_mount("mount-cgroup", "cgroup", "cgroup", "memory");
    try_mount("mount-tmpfs", "tmpfs", "tmpfs", NULL);
    try_open_write("write-proc-sys", "/proc/sys/kernel/core_pattern");
    try_open_write("write-sysrq-trigger", "/proc/sysrq-trigger");
    try_open_write("write-sys", "/sys/kernel/uevent_helper");
    call("init_module", syscall(SYS_init_module, NULL, 0, ""), "init_module reached the kernel");
    call("finit_module", syscall(SYS_finit_module, -1, "", 0), "finit_module reached the kernel");
    call("reboot", syscall(SYS_reboot, 0x12345678, 0x9abcdef0, 0, NULL), "reboot reached the kernel");
    call("kexec_load", syscall(SYS_kexec_load, 0, 1000, NULL, 0), "kexec_load reached the kernel");
    call("settimeofday", syscall(SYS_settimeofday, NULL, NULL), "settimeofday allowed");
    struct timespec now; clock_gettime(CLOCK_REALTIME, &now);
    call("clock_settime", syscall(SYS_clock_settime, CLOCK_REALTIME, &now), "clock set");
    struct { unsigned int bytes; int type; unsigned char h[8]; } fh = {8, 1, {0}};
    int rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    long h = syscall(SYS_open_by_handle_at, rootfd, &fh, O_RDONLY);
    if (h >= 0) close((int)h);
    if (h < 0 && errno != EPERM && errno != EACCES && errno != ENOSYS) h = 0; /* past the capability check */
    call("open_by_handle_at", h, "handle decoded (capability check passed)");
    close(rootfd);
    call("keyctl", syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3 /* session */, 0), "keyring reached");
    call("add_key", syscall(SYS_add_key, "user", "godwit-escape", "x", 1, -2 /* process keyring */), "key added");
    union bpf_attr attr; memset(&attr, 0, sizeof attr);
    attr.map_type = BPF_MAP_TYPE_ARRAY; attr.key_size = 4; attr.value_size = 4; attr.max_entries = 1;
    long b = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr);
    if (b >= 0) close((int)b);
    call("bpf", b, "bpf map created");
    struct perf_event_attr pe; memset(&pe, 0, sizeof pe);
    pe.type = PERF_TYPE_SOFTWARE; pe.size = sizeof pe; pe.config = PERF_COUNT_SW_CPU_CLOCK; pe.disabled = 1;
    long pf = syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0);
    if (pf >= 0) close((int)pf);
    call("perf_event_open", pf, "perf event opened");
    call("swapon", swapon("/tmp/escape-no-swapfile", 0) == 0 ? 0 : (errno == ENOENT ? 0 : -1), "swapon reached the filesystem");
    try_unshare("unshare-user", CLONE_NEWUSER);
    try_unshare("unshare-mount", CLONE_NEWNS);
    if (host_pid > 0) {
        long p = ptrace(PTRACE_ATTACH, host_pid, NULL, NULL);
        if (p == 0) ptrace(PTRACE_DETACH, host_pid, NULL, NULL);
        call("ptrace-outside", p, "attached to a process outside");
    }
    int kc = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
    char byte; long n = kc >= 0 ? read(kc, &byte, 1) : -1;
    int err = errno;
    if (kc >= 0) close(kc);
    if (kc >= 0 && n <= 0) { n = -1; err = ENODATA; } /* masked: /dev/null reads nothing */
    errno = err;
    call("read-kcore", n, "read /proc/kcore");
    long s = syscall(SYS_sync);
    printf("%-22s %s\n", "sync", s == 0 ? "allowed" : strerror(errno));
    printf("escape round %d: %d attempts, %d escaped\n", round_no, attempts, escaped);
    fflush(stdout);
}

static void on_usr1(int sig) { (void)sig; again = 1; }

int main(int argc, char **argv) {
    int serve = argc > 1 && !strcmp(argv[1], "--serve");
    if (argc > 1 + serve) host_pid = atoi(argv[1 + serve]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!serve) { round_once(); return escaped ? 1 : 0; }
    struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t block, old; sigemptyset(&block); sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    round_once();
    for (;;) {
        while (!again) sigsuspend(&old);
        again = 0;
        round_once();
    }
}
