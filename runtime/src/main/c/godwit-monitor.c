/*
 * godwit-monitor: the per-container parent process (the idea of conmon, written for Godwit).
 *
 * It is started by the JVM, detaches (fork + setsid, so it is not the JVM's child and survives
 * a daemon restart), becomes the parent of the container's init, copies the init's stdout and
 * stderr into STATE_DIR/console.log, reaps the init and writes STATE_DIR/exit.json.
 *
 * File descriptors on entry (set up by the JVM with posix_spawn file actions):
 *   0  control pipe, JVM -> monitor, line based ("go", "adopt PID", "abort")
 *   1  report pipe, monitor -> JVM, line based ("init PID", "criu PID", "ok MON INIT", "error MSG")
 *   2  STATE_DIR/monitor.log (the monitor's own diagnostics; criu's stdout/stderr too)
 *   3  restore mode only: the CRIU RPC socket (SOCK_SEQPACKET), handed to `criu swrk 3`
 * Every other inherited fd is closed at once (the JVM leaks some).
 *
 * Modes:
 *   godwit-monitor start STATE_DIR ROOTFS [--hostname H] [--cwd DIR] [--env K=V]... [--env-file PATH]
 *                  [--mount SRC DST ro|rw]... [--rlimit RES SOFT HARD]... -- CMD [ARG...]
 *     clone()s the init into new pid/mnt/uts/ipc/net namespaces, reports "init PID" and waits
 *     for "go" (meanwhile the JVM puts PID into the container's cgroup and wires networking),
 *     then the init builds its root (mounts, /dev, pivot_root) and execs CMD. Any failure of a
 *     step comes back as "error STEP: strerror" and the monitor exits leaving nothing running.
 *   godwit-monitor restore STATE_DIR [--criu PATH]
 *   godwit-monitor exec STATE_DIR INIT_PID [--cgroup-procs FILE]... [--cwd DIR] [--tty PTS] [confinement] -- CMD [ARG...]
 *     `godwit exec`, confined as runc exec confines: does not detach; fds 0-2 are the command's stdio and
 *     its environment is the command's. It joins the cgroup (writes its pid to each FILE), reads the
 *     seccomp rules, enters every namespace of INIT_PID that differs from its own at once (setns on a
 *     pidfd), forks the command into the container's pid namespace, applies the same confinement as
 *     the init (apply_confinement: caps, user, groups, no_new_privs, seccomp), chdirs to DIR and execs.
 *     It waits and exits with the command's code (128+N if killed by signal N; 127 when a step failed,
 *     with the step on stderr). Its own diagnostics go to STATE_DIR/monitor.log.
 *   godwit-monitor devices CGROUP_DIR RULE...    (cgroup v2: attach the device allow-list, see devices.c)
 *   godwit-monitor devices --count CGROUP_DIR    (prints how many device programs CGROUP_DIR has)
 *     both exit 0, or 127 with the reason on stderr.
 *   both modes: [--log-max BYTES] [--log-files N]: console.log is rotated once it would pass
 *     BYTES (console.log -> console.log.1 -> ... -> console.log.N, the oldest dropped); N = 0
 *     truncates it instead. Without --log-max it grows without bound.
 *     makes fresh stdout/stderr pipes and runs `criu swrk 3` with the RPC socket at fd 3, the
 *     write end of the new stdout pipe at fd 4 and of the new stderr pipe at fd 5 (for CRIU's
 *     inherit_fd), reports "criu CRIUPID MONPID", and waits for "adopt PID" (the restored init,
 *     a child of this monitor because of rst_sibling) or "abort" / EOF (kills every child).
 *   start and restore: a daemon in a fleet may arm a fence through STATE_DIR/fence (fence.c): past its
 *     deadline the monitor freezes the container (or kills it), as its crashed daemon no longer can.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <grp.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "confine.h"
#include "fence.h"

#define MAX_LIST 256
#define CRIU_STDOUT_FD 4
#define CRIU_STDERR_FD 5

struct mount_spec { const char *src, *dst; int ro; };
struct rlimit_spec { int resource; rlim_t soft, hard; };

struct config {
    const char *mode, *state_dir, *rootfs, *hostname, *cwd, *criu;
    pid_t exec_target;                              /* exec mode: the container's init */
    const char *cgroup_procs[16]; int ncgroup_procs; /* exec mode: cgroup.procs files to join */
    const char *env[MAX_LIST]; int nenv;
    struct mount_spec mounts[MAX_LIST]; int nmounts;
    struct rlimit_spec rlimits[32]; int nrlimits;
    const char *masked[MAX_LIST]; int nmasked;
    const char *readonly[MAX_LIST]; int nreadonly;
    const char *tmpfs[MAX_LIST]; int ntmpfs;
    int read_only_root;
    const char *tty; /* exec mode: the terminal (host path of a pty slave) the command gets as stdio and controlling tty */
    int userns; unsigned long userns_uid, userns_gid, userns_size; /* --userns: container 0 = host UID.. */
    struct confinement confine;
    char **argv;
};

static struct config cfg;
static long long log_max = 0; /* 0: no bound */
static int log_files = 1;
static int report_fd = 1;
static int log_fd = 2; /* exec mode: STATE_DIR/monitor.log (fd 2 is the command's stderr) */

void logmsg(const char *fmt, ...) {
    char buf[1024]; va_list ap; va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap); va_end(ap);
    if (n < 0) return;
    if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
    buf[n++] = '\n';
    if (write(log_fd, buf, n) < 0) { /* nowhere else to say it */ }
}

/* One line to the JVM; after the hand-over report_fd is /dev/null and this is a no-op. */
static void report(const char *fmt, ...) {
    char buf[2048]; va_list ap; va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap); va_end(ap);
    if (n < 0) return;
    if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
    for (int i = 0; i < n; i++) if (buf[i] == '\n') buf[i] = ' ';
    buf[n++] = '\n';
    if (report_fd >= 0 && write(report_fd, buf, n) < 0) { /* JVM gone: keep running */ }
    buf[n - 1] = 0;
    logmsg("%s", buf);
}

static void die(const char *fmt, ...) {
    char buf[1024]; va_list ap; va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap); va_end(ap);
    report("error %s", buf);
    _exit(1);
}

static void close_from(int lowfd) {
    if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0) return;
    DIR *d = opendir("/proc/self/fd");
    if (!d) { for (int fd = lowfd; fd < 4096; fd++) close(fd); return; }
    int dfd = dirfd(d); struct dirent *e; int fds[4096]; int n = 0;
    while ((e = readdir(d)) && n < 4096) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] != '.' && fd >= lowfd && fd != dfd) fds[n++] = fd;
    }
    closedir(d);
    for (int i = 0; i < n; i++) close(fds[i]);
}

/* temp + fsync + rename + fsync(dir): the JVM never sees half a file. */
static int write_atomic(const char *name, const char *content) {
    char path[PATH_MAX], tmp[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", cfg.state_dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", cfg.state_dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) { logmsg("open %s: %s", tmp, strerror(errno)); return -1; }
    size_t len = strlen(content);
    if (write(fd, content, len) != (ssize_t)len || fsync(fd) < 0) {
        logmsg("write %s: %s", tmp, strerror(errno)); close(fd); unlink(tmp); return -1;
    }
    close(fd);
    if (rename(tmp, path) < 0) { logmsg("rename %s: %s", path, strerror(errno)); unlink(tmp); return -1; }
    int dfd = open(cfg.state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) { fsync(dfd); close(dfd); }
    return 0;
}

static void write_pid_file(const char *name, pid_t pid) {
    char buf[32]; snprintf(buf, sizeof buf, "%d\n", (int)pid);
    if (write_atomic(name, buf) < 0) logmsg("cannot write %s", name);
}

static void write_exit_json(int status) {
    struct timespec ts; clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm; gmtime_r(&ts.tv_sec, &tm);
    char when[64]; strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    char buf[256];
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    snprintf(buf, sizeof buf, "{\"exitCode\":%d,\"signal\":%d,\"finishedAt\":\"%s.%03ldZ\"}\n",
             code, sig, when, ts.tv_nsec / 1000000);
    if (write_atomic("exit.json", buf) < 0) logmsg("cannot write exit.json");
    logmsg("init exited: code %d signal %d", code, sig);
}

/* ---------------- argument parsing ---------------- */

static int rlimit_by_name(const char *s) {
    static const struct { const char *n; int r; } t[] = {
        {"nofile", RLIMIT_NOFILE}, {"nproc", RLIMIT_NPROC}, {"core", RLIMIT_CORE},
        {"stack", RLIMIT_STACK}, {"memlock", RLIMIT_MEMLOCK}, {"as", RLIMIT_AS},
        {"fsize", RLIMIT_FSIZE}, {"cpu", RLIMIT_CPU}, {"data", RLIMIT_DATA}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) if (!strcmp(s, t[i].n)) return t[i].r;
    return -1;
}

static rlim_t parse_rlim(const char *s) {
    if (!strcmp(s, "unlimited")) return RLIM_INFINITY;
    return (rlim_t)strtoull(s, NULL, 10);
}

/*
 * --env-file PATH: the container's environment as K=V entries, each ended by a NUL byte. Read,
 * then unlinked: values (passwords, tokens) never appear in this process's argv, which every
 * host user can read in ps.
 */
#define ENV_FILE_MAX (1 << 20)
static void read_env_file(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) die("args: --env-file %s: %s", path, strerror(errno));
    char *buf = calloc(ENV_FILE_MAX + 1, 1); /* zeroed: the text ends with a NUL whatever its length */
    if (!buf) die("args: --env-file: out of memory");
    size_t len = 0;
    ssize_t n = 0;
    while (len < ENV_FILE_MAX && (n = read(fd, buf + len, ENV_FILE_MAX - len)) > 0) len += (size_t)n;
    if (n < 0) die("args: --env-file %s: read: %s", path, strerror(errno));
    close(fd);
    unlink(path);
    if (len == ENV_FILE_MAX) die("args: --env-file %s: larger than %d bytes", path, ENV_FILE_MAX);
    for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
        if (buf[i] && cfg.nenv < MAX_LIST - 1) cfg.env[cfg.nenv++] = buf + i;
}

static void parse_args(int argc, char **argv) {
    if (argc < 3) die("usage: godwit-monitor start|restore|exec STATE_DIR ...");
    cfg.mode = argv[1]; cfg.state_dir = argv[2]; cfg.cwd = "/"; cfg.criu = "criu";
    int i = 3;
    if (!strcmp(cfg.mode, "start")) {
        if (argc < 4) die("args: start needs STATE_DIR ROOTFS");
        cfg.rootfs = argv[3]; i = 4;
    } else if (!strcmp(cfg.mode, "exec")) {
        if (argc < 4 || atoi(argv[3]) <= 0) die("args: exec needs STATE_DIR INIT_PID");
        cfg.exec_target = (pid_t)atoi(argv[3]); i = 4;
    } else if (strcmp(cfg.mode, "restore")) die("args: unknown mode '%s'", cfg.mode);
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) { cfg.argv = &argv[i + 1]; break; }
        else if (!strcmp(a, "--hostname") && i + 1 < argc) cfg.hostname = argv[++i];
        else if (!strcmp(a, "--cwd") && i + 1 < argc) cfg.cwd = argv[++i];
        else if (!strcmp(a, "--tty") && i + 1 < argc) cfg.tty = argv[++i];
        else if (!strcmp(a, "--criu") && i + 1 < argc) cfg.criu = argv[++i];
        else if (!strcmp(a, "--env") && i + 1 < argc && cfg.nenv < MAX_LIST - 1) cfg.env[cfg.nenv++] = argv[++i];
        else if (!strcmp(a, "--env-file") && i + 1 < argc) read_env_file(argv[++i]);
        else if (!strcmp(a, "--log-max") && i + 1 < argc) log_max = strtoll(argv[++i], NULL, 10);
        else if (!strcmp(a, "--log-files") && i + 1 < argc) log_files = atoi(argv[++i]);
        else if (!strcmp(a, "--mount") && i + 3 < argc && cfg.nmounts < MAX_LIST) {
            struct mount_spec *m = &cfg.mounts[cfg.nmounts++];
            m->src = argv[i + 1]; m->dst = argv[i + 2]; m->ro = !strcmp(argv[i + 3], "ro"); i += 3;
        } else if (!strcmp(a, "--rlimit") && i + 3 < argc && cfg.nrlimits < 32) {
            int r = rlimit_by_name(argv[i + 1]);
            if (r < 0) die("args: unknown rlimit '%s'", argv[i + 1]);
            struct rlimit_spec *l = &cfg.rlimits[cfg.nrlimits++];
            l->resource = r; l->soft = parse_rlim(argv[i + 2]); l->hard = parse_rlim(argv[i + 3]); i += 3;
        } else if (!strcmp(a, "--caps") && i + 1 < argc) {
            cfg.confine.caps = strtoull(argv[++i], NULL, 16); cfg.confine.has_caps = 1;
        } else if (!strcmp(a, "--no-new-privs")) cfg.confine.no_new_privs = 1;
        else if (!strcmp(a, "--seccomp") && i + 1 < argc) cfg.confine.seccomp = argv[++i];
        else if (!strcmp(a, "--user") && i + 1 < argc) {
            unsigned u, g;
            if (sscanf(argv[++i], "%u:%u", &u, &g) != 2) die("args: --user wants UID:GID, got '%s'", argv[i]);
            cfg.confine.has_user = 1; cfg.confine.uid = u; cfg.confine.gid = g;
        } else if (!strcmp(a, "--group") && i + 1 < argc && cfg.confine.ngroups < MAX_GROUPS) {
            cfg.confine.groups[cfg.confine.ngroups++] = (gid_t)strtoul(argv[++i], NULL, 10);
        } else if (!strcmp(a, "--mask") && i + 1 < argc && cfg.nmasked < MAX_LIST) cfg.masked[cfg.nmasked++] = argv[++i];
        else if (!strcmp(a, "--readonly-path") && i + 1 < argc && cfg.nreadonly < MAX_LIST) cfg.readonly[cfg.nreadonly++] = argv[++i];
        else if (!strcmp(a, "--tmpfs") && i + 1 < argc && cfg.ntmpfs < MAX_LIST) cfg.tmpfs[cfg.ntmpfs++] = argv[++i];
        else if (!strcmp(a, "--read-only")) cfg.read_only_root = 1;
        else if (!strcmp(a, "--userns") && i + 3 < argc) {
            cfg.userns = 1; cfg.userns_uid = strtoul(argv[i + 1], NULL, 10);
            cfg.userns_gid = strtoul(argv[i + 2], NULL, 10); cfg.userns_size = strtoul(argv[i + 3], NULL, 10); i += 3;
            if (!cfg.userns_uid || !cfg.userns_gid || !cfg.userns_size) die("args: --userns wants HOSTUID HOSTGID SIZE, all > 0");
        }
        else if (!strcmp(a, "--cgroup-procs") && i + 1 < argc && cfg.ncgroup_procs < 16)
            cfg.cgroup_procs[cfg.ncgroup_procs++] = argv[++i];
        else die("args: unknown or incomplete option '%s'", a);
    }
    if (strcmp(cfg.mode, "restore") && (!cfg.argv || !cfg.argv[0])) die("args: no command after --");
    cfg.env[cfg.nenv] = NULL;
}

/* ---------------- the container init (start mode) ---------------- */

struct child_ctx { int go_rd, err_wr, out_wr, errout_wr; };

static int err_fd = -1;
static int fail_to_jvm = 0; /* the monitor itself runs shared code (seccomp_prepare): report as an error line */

void child_fail(const char *fmt, ...) {
    char buf[1024]; va_list ap; va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap); va_end(ap);
    if (fail_to_jvm) die("%s", buf);
    if (n > (int)sizeof buf - 1) n = sizeof buf - 1;
    if (err_fd >= 0 && write(err_fd, buf, n) < 0) { /* monitor gone */ }
    _exit(127);
}

static void join(char *out, const char *a, const char *b) {
    while (*b == '/') b++;
    size_t la = strlen(a), lb = strlen(b);
    if (la + lb + 2 > PATH_MAX) child_fail("path too long: %s/%s", a, b);
    memcpy(out, a, la); out[la] = '/'; memcpy(out + la + 1, b, lb + 1);
}

/* ROOT/NAME for /proc, /sys, /dev: a real directory of the image, never a symlink that could point out. */
static void plain_top_dir(const char *root, const char *name, char *out) {
    join(out, root, name);
    struct stat st;
    if (lstat(out, &st) < 0) {
        if (errno != ENOENT || mkdir(out, 0555) < 0) child_fail("mount point /%s: %s", name, strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
        child_fail("mount point /%s in the image is not a directory (a symlink?): refused", name);
    }
}

static void do_mount(const char *src, const char *dst, const char *type, unsigned long flags,
                     const char *data, const char *step) {
    if (mount(src, dst, type, flags, data) < 0)
        child_fail("%s (mount %s on %s): %s", step, src ? src : "none", dst, strerror(errno));
}

static void make_dev(const char *root) {
    char dev[PATH_MAX], p[PATH_MAX];
    plain_top_dir(root, "dev", dev);
    do_mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", "mount /dev tmpfs");
    static const struct { const char *name; unsigned maj, min; } nodes[] = {
        {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
        join(p, dev, nodes[i].name);
        if (mknod(p, S_IFCHR | 0666, makedev(nodes[i].maj, nodes[i].min)) == 0) { chmod(p, 0666); continue; }
        /* mknod refused (device cgroup or no CAP_MKNOD): bind the host's node instead */
        int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0) child_fail("create /dev/%s: %s", nodes[i].name, strerror(errno));
        close(fd);
        char host[PATH_MAX]; snprintf(host, sizeof host, "/dev/%s", nodes[i].name);
        do_mount(host, p, NULL, MS_BIND, NULL, "bind device node");
    }
    join(p, dev, "pts"); mkdir(p, 0755);
    do_mount("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620", "mount /dev/pts");
    join(p, dev, "ptmx"); if (symlink("pts/ptmx", p) < 0) child_fail("symlink /dev/ptmx: %s", strerror(errno));
    join(p, dev, "shm"); mkdir(p, 01777);
    do_mount("shm", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k", "mount /dev/shm");
    /* the queues of the container's own IPC namespace, where programs (and ls) look for them, as runc mounts it */
    join(p, dev, "mqueue"); mkdir(p, 01777);
    do_mount("mqueue", p, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, "mount /dev/mqueue");
    static const char *links[][2] = {{"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"},
                                     {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"}};
    for (size_t i = 0; i < 4; i++) {
        join(p, dev, links[i][0]);
        if (symlink(links[i][1], p) < 0) child_fail("symlink /dev/%s: %s", links[i][0], strerror(errno));
    }
}

static void loopback_up(void) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) child_fail("loopback: socket: %s", strerror(errno));
    struct ifreq ifr; memset(&ifr, 0, sizeof ifr); strcpy(ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) child_fail("loopback: get flags: %s", strerror(errno));
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) child_fail("loopback: set up: %s", strerror(errno));
    close(s);
}

static const char *env_get(const char *name) {
    size_t n = strlen(name);
    for (int i = 0; i < cfg.nenv; i++)
        if (!strncmp(cfg.env[i], name, n) && cfg.env[i][n] == '=') return cfg.env[i] + n + 1;
    return NULL;
}

/* execve with the container's PATH (execvpe would search the monitor's PATH). */
static void exec_command(void) {
    const char *cmd = cfg.argv[0];
    char *const *envp = (char *const *)cfg.env;
    if (strchr(cmd, '/')) {
        execve(cmd, cfg.argv, envp);
        child_fail("exec %s: %s", cmd, strerror(errno));
    }
    const char *path = env_get("PATH");
    if (!path) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    int saved = ENOENT;
    char dirs[4096]; snprintf(dirs, sizeof dirs, "%s", path);
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char full[PATH_MAX]; snprintf(full, sizeof full, "%s/%s", *d ? d : ".", cmd);
        execve(full, cfg.argv, envp);
        if (errno != ENOENT && errno != ENOTDIR) saved = errno;
    }
    child_fail("exec %s: %s (searched PATH=%s inside the container)", cmd, strerror(saved), path);
}

static int child_main(void *arg) {
    struct child_ctx *c = arg;
    err_fd = c->err_wr;
    /* If the monitor dies while we are being set up, do not linger half-built. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1) _exit(1);
    char go;
    if (read(c->go_rd, &go, 1) != 1 || go != 'g') _exit(1); /* aborted by the monitor */
    close(c->go_rd);

    const char *root = cfg.rootfs;
    struct stat st;
    if (stat(root, &st) < 0) child_fail("rootfs %s: %s", root, strerror(errno));
    if (!S_ISDIR(st.st_mode)) child_fail("rootfs %s: %s", root, strerror(ENOTDIR));
    do_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL, "make mounts private");
    /* pivot_root wants the new root to be a mount point */
    do_mount(root, root, NULL, MS_BIND | MS_REC, NULL, "bind rootfs");
    int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) child_fail("open rootfs %s: %s", root, strerror(errno));
    if (cfg.userns) {
        /* From here on the host's paths are looked up as the container's root (an unprivileged host uid,
         * which cannot pass the 0700 state directory): work relative to the rootfs, then become root of
         * the namespace (files it makes must be owned by a mapped id). */
        if (fchdir(rootfd) < 0) child_fail("enter rootfs: %s", strerror(errno));
        root = ".";
        if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
            child_fail("become root of the user namespace: %s", strerror(errno));
    }
    char p[PATH_MAX];
    plain_top_dir(root, "proc", p);
    do_mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, "mount /proc");
    plain_top_dir(root, "sys", p);
    do_mount("sysfs", p, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, "mount /sys");
    make_dev(root);
    for (int i = 0; i < cfg.nmounts; i++) bind_volume(rootfd, cfg.mounts[i].src, cfg.mounts[i].dst, cfg.mounts[i].ro);
    for (int i = 0; i < cfg.ntmpfs; i++) mount_tmpfs_in_root(rootfd, cfg.tmpfs[i]);
    close(rootfd);
    if (chdir(root) < 0) child_fail("chdir rootfs: %s", strerror(errno));
    /* pivot_root(".", "."): the old root ends up stacked under the new one; detach it. */
    if (syscall(SYS_pivot_root, ".", ".") < 0) child_fail("pivot_root %s: %s", root, strerror(errno));
    if (umount2(".", MNT_DETACH) < 0) child_fail("unmount old root: %s", strerror(errno));
    if (chdir("/") < 0) child_fail("chdir /: %s", strerror(errno));
    for (int i = 0; i < cfg.nmasked; i++) mask_path(cfg.masked[i]);
    for (int i = 0; i < cfg.nreadonly; i++) readonly_path(cfg.readonly[i]);
    if (cfg.read_only_root) set_read_only("/", 0, "read-only rootfs");
    const char *hn = cfg.hostname ? cfg.hostname : "godwit";
    if (sethostname(hn, strlen(hn)) < 0) child_fail("sethostname %s: %s", hn, strerror(errno));
    loopback_up();
    for (int i = 0; i < cfg.nrlimits; i++) {
        struct rlimit rl = {cfg.rlimits[i].soft, cfg.rlimits[i].hard};
        if (setrlimit(cfg.rlimits[i].resource, &rl) < 0) child_fail("setrlimit %d: %s", cfg.rlimits[i].resource, strerror(errno));
    }
    if (setsid() < 0) child_fail("setsid: %s", strerror(errno));
    /* stdin from the container's own /dev/null: a host fd here would break the dump */
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull < 0) child_fail("open /dev/null in container: %s", strerror(errno));
    if (dup2(devnull, 0) < 0 || dup2(c->out_wr, 1) < 0 || dup2(c->errout_wr, 2) < 0)
        child_fail("dup2 stdio: %s", strerror(errno));
    /* keep the error pipe at fd 3 (close-on-exec), close everything else */
    if (dup3(c->err_wr, 3, O_CLOEXEC) < 0) child_fail("dup3 error pipe: %s", strerror(errno));
    err_fd = 3;
    close_from(4);
    sigset_t all; sigemptyset(&all);
    for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
    sigprocmask(SIG_SETMASK, &all, NULL);
    prctl(PR_SET_PDEATHSIG, 0);
    /* last: capabilities, user, no_new_privs, seccomp; then cwd as the user it runs as */
    apply_confinement(&cfg.confine);
    if (chdir(cfg.cwd) < 0) child_fail("chdir %s (cwd): %s", cfg.cwd, strerror(errno));
    exec_command();
    return 127;
}

/* ---------------- the monitor ---------------- */

static int console_fd = -1;
static int out_rd = -1, errout_rd = -1;
static pid_t init_pid = 0, criu_pid = 0;
static int init_done = 0;
struct dead { pid_t pid; int status; };
static struct dead early_dead[64]; static int nearly_dead = 0;

static long long console_size = 0;

static void open_console(void) {
    char p[PATH_MAX]; snprintf(p, sizeof p, "%s/console.log", cfg.state_dir);
    console_fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (console_fd < 0) die("open console.log %s: %s", p, strerror(errno));
    struct stat st;
    console_size = fstat(console_fd, &st) == 0 ? (long long)st.st_size : 0;
}

/* console.log.(i) -> .(i+1) down to console.log -> .1, then a fresh console.log (--log-max). */
static void rotate_console(void) {
    char from[PATH_MAX], to[PATH_MAX];
    if (log_files <= 0) {
        if (ftruncate(console_fd, 0) < 0) logmsg("truncate console.log: %s", strerror(errno));
        console_size = 0;
        return;
    }
    for (int i = log_files - 1; i >= 0; i--) {
        if (i == 0) snprintf(from, sizeof from, "%s/console.log", cfg.state_dir);
        else snprintf(from, sizeof from, "%s/console.log.%d", cfg.state_dir, i);
        snprintf(to, sizeof to, "%s/console.log.%d", cfg.state_dir, i + 1);
        if (rename(from, to) < 0 && errno != ENOENT) logmsg("rotate %s: %s", from, strerror(errno));
    }
    close(console_fd);
    open_console();
}

static void make_pipes(int *out_wr, int *errout_wr) {
    int a[2], b[2];
    if (pipe2(a, O_CLOEXEC) < 0 || pipe2(b, O_CLOEXEC) < 0) die("pipe for container stdio: %s", strerror(errno));
    out_rd = a[0]; *out_wr = a[1]; errout_rd = b[0]; *errout_wr = b[1];
}

static void detach_from_jvm(void) {
    /* fork + setsid: the JVM's child exits at once, so this process is re-parented and the
     * JVM may die or restart without taking the containers with it. */
    pid_t p = fork();
    if (p < 0) die("fork monitor: %s", strerror(errno));
    if (p > 0) _exit(0);
    if (setsid() < 0) die("setsid: %s", strerror(errno));
}

static int setup_signals(void) {
    signal(SIGPIPE, SIG_IGN); signal(SIGHUP, SIG_IGN);
    /* The JVM signals the init, never the monitor: stray TERM/INT must not orphan the log. */
    signal(SIGTERM, SIG_IGN); signal(SIGINT, SIG_IGN);
    sigset_t s; sigemptyset(&s); sigaddset(&s, SIGCHLD);
    sigprocmask(SIG_BLOCK, &s, NULL);
    int fd = signalfd(-1, &s, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd < 0) die("signalfd: %s", strerror(errno));
    return fd;
}

static void hand_over(void) {
    /* After the hand-over the JVM may exit: never write to its pipes again. */
    int n = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (n >= 0) { dup2(n, 0); dup2(n, 1); close(n); }
    report_fd = -1;
}

static void pump(int *fd) {
    char buf[65536];
    ssize_t n = read(*fd, buf, sizeof buf);
    if (n > 0) {
        if (log_max > 0 && console_size > 0 && console_size + n > log_max) rotate_console();
        if (write(console_fd, buf, n) < 0) logmsg("write console.log: %s", strerror(errno));
        else console_size += n;
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(*fd); *fd = -1;
    }
}

static void reap(void) {
    int st; pid_t p;
    while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
        if (p == criu_pid) {
            logmsg("criu swrk %d exited: %s %d", p, WIFEXITED(st) ? "code" : "signal",
                   WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
            criu_pid = -1;
        } else if (p == init_pid) {
            write_exit_json(st);
            init_done = 1;
        } else if (init_pid == 0 && nearly_dead < 64) {
            /* restore mode before "adopt": could be the restored init dying early */
            early_dead[nearly_dead].pid = p; early_dead[nearly_dead++].status = st;
        } else logmsg("reaped unknown child %d", p);
    }
}

static void kill_children(void) {
    DIR *d = opendir("/proc");
    if (!d) return;
    struct dirent *e; pid_t me = getpid();
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0])) continue;
        char p[300], buf[512]; snprintf(p, sizeof p, "/proc/%s/stat", e->d_name);
        int fd = open(p, O_RDONLY | O_CLOEXEC); if (fd < 0) continue;
        ssize_t n = read(fd, buf, sizeof buf - 1); close(fd); if (n <= 0) continue;
        buf[n] = 0;
        char *rp = strrchr(buf, ')'); if (!rp) continue;
        char state; int ppid;
        if (sscanf(rp + 2, "%c %d", &state, &ppid) == 2 && ppid == me) kill(atoi(e->d_name), SIGKILL);
    }
    closedir(d);
}

/* Copies the container's output until the init is gone and its pipes are drained. */
static void main_loop(int sigfd, int control_fd) {
    char ctl[512]; size_t ctl_len = 0;
    struct timespec died_at = {0, 0};
    for (;;) {
        struct pollfd pf[6]; int n = 0;
        pf[n].fd = sigfd; pf[n++].events = POLLIN;
        int i_out = -1, i_err = -1, i_ctl = -1, i_fw = -1, i_ft = -1;
        if (out_rd >= 0) { i_out = n; pf[n].fd = out_rd; pf[n++].events = POLLIN; }
        if (errout_rd >= 0) { i_err = n; pf[n].fd = errout_rd; pf[n++].events = POLLIN; }
        if (control_fd >= 0) { i_ctl = n; pf[n].fd = control_fd; pf[n++].events = POLLIN; }
        if (!init_done && fence_watch_fd() >= 0) {
            i_fw = n; pf[n].fd = fence_watch_fd(); pf[n++].events = POLLIN;
            i_ft = n; pf[n].fd = fence_timer_fd(); pf[n++].events = POLLIN;
        }
        if (init_done) {
            if (out_rd < 0 && errout_rd < 0) break;
            /* grandchildren that escaped the pid namespace may hold the pipes: give up after 2 s */
            struct timespec now; clock_gettime(CLOCK_MONOTONIC, &now);
            if (died_at.tv_sec == 0) died_at = now;
            else if (now.tv_sec - died_at.tv_sec >= 2) break;
        }
        int r = poll(pf, n, init_done ? 200 : -1);
        if (r < 0 && errno != EINTR) { logmsg("poll: %s", strerror(errno)); break; }
        if (r <= 0) continue;
        if (pf[0].revents) {
            struct signalfd_siginfo si;
            while (read(sigfd, &si, sizeof si) == sizeof si) { }
            reap();
        }
        if (i_fw >= 0 && pf[i_fw].revents) fence_on_watch(); /* before the timer: a new deadline wins */
        if (i_ft >= 0 && pf[i_ft].revents) fence_on_timer();
        if (i_out >= 0 && pf[i_out].revents) pump(&out_rd);
        if (i_err >= 0 && pf[i_err].revents) pump(&errout_rd);
        if (i_ctl >= 0 && pf[i_ctl].revents) {
            ssize_t k = read(control_fd, ctl + ctl_len, sizeof ctl - 1 - ctl_len);
            if (k <= 0) {
                if (init_pid == 0) { report("aborted"); kill_children(); logmsg("restore aborted (control closed)"); _exit(2); }
                control_fd = -1; continue;
            }
            ctl_len += k; ctl[ctl_len] = 0;
            char *nl;
            while ((nl = strchr(ctl, '\n'))) {
                *nl = 0;
                int pid;
                if (!strcmp(ctl, "abort")) {
                    kill_children(); report("aborted"); logmsg("restore aborted"); _exit(2);
                } else if (sscanf(ctl, "adopt %d", &pid) == 1 && init_pid == 0 && pid > 0) {
                    int dead_status = -1;
                    for (int i = 0; i < nearly_dead; i++) if (early_dead[i].pid == pid) dead_status = early_dead[i].status;
                    char p[64], buf[512]; int ppid = -1;
                    snprintf(p, sizeof p, "/proc/%d/stat", pid);
                    int fd = open(p, O_RDONLY | O_CLOEXEC);
                    if (fd >= 0) {
                        ssize_t m = read(fd, buf, sizeof buf - 1); close(fd);
                        if (m > 0) { buf[m] = 0; char *rp = strrchr(buf, ')'); char s;
                            if (rp) sscanf(rp + 2, "%c %d", &s, &ppid); }
                    }
                    if (dead_status == -1 && ppid != getpid()) {
                        report("error adopt: process %d is not a child of monitor %d (parent %d); was rst_sibling set?",
                               pid, (int)getpid(), ppid);
                    } else {
                        init_pid = pid;
                        write_pid_file("init.pid", pid);
                        if (dead_status != -1) { write_exit_json(dead_status); init_done = 1; }
                        report("ok %d %d", (int)getpid(), pid);
                        hand_over(); control_fd = -1;
                    }
                } else report("error control: unexpected '%s'", ctl);
                size_t used = nl + 1 - ctl; memmove(ctl, nl + 1, ctl_len - used); ctl_len -= used; ctl[ctl_len] = 0;
            }
        }
    }
    logmsg("monitor exiting");
}

static void read_line(int fd, char *buf, size_t cap) {
    size_t n = 0;
    while (n < cap - 1) {
        char c; ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0 || c == '\n') break;
        buf[n++] = c;
    }
    buf[n] = 0;
}

/* Container ids 0..SIZE-1 are host ids UID..UID+SIZE-1 (and the same for groups); written before "go". */
static void write_id_maps(pid_t pid) {
    static const char *files[] = {"uid_map", "gid_map"};
    unsigned long base[] = {cfg.userns_uid, cfg.userns_gid};
    for (int i = 0; i < 2; i++) {
        char p[64], line[96]; snprintf(p, sizeof p, "/proc/%d/%s", (int)pid, files[i]);
        int n = snprintf(line, sizeof line, "0 %lu %lu\n", base[i], cfg.userns_size);
        int fd = open(p, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, line, (size_t)n) != n) {
            int e = errno; kill(pid, SIGKILL); waitpid(pid, NULL, 0);
            die("userns: write %s '0 %lu %lu': %s", p, base[i], cfg.userns_size, strerror(e));
        }
        close(fd);
    }
}

static void run_start(void) {
    int sigfd = setup_signals();
    open_console();
    int out_wr, errout_wr; make_pipes(&out_wr, &errout_wr);
    int go[2], err[2];
    if (pipe2(go, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) die("sync pipes: %s", strerror(errno));
    struct child_ctx ctx = {go[0], err[1], out_wr, errout_wr};
    size_t stack_size = 1 << 20;
    char *stack = malloc(stack_size);
    if (!stack) die("clone: out of memory");
    /* the seccomp rules are read here, while the state directory is in sight; the init gets a copy */
    if (cfg.confine.seccomp) { fail_to_jvm = 1; seccomp_prepare(cfg.confine.seccomp); fail_to_jvm = 0; }
    int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | SIGCHLD;
    if (cfg.userns) flags |= CLONE_NEWUSER; /* owns the others: the container's root is root only in there */
    pid_t pid = clone(child_main, stack + stack_size, flags, &ctx);
    if (pid < 0) die("clone namespaces: %s", strerror(errno));
    init_pid = pid;
    if (cfg.userns) write_id_maps(pid);
    close(go[0]); close(err[1]); close(out_wr); close(errout_wr);
    report("init %d", pid);
    char line[256]; read_line(0, line, sizeof line);
    if (strcmp(line, "go")) {
        kill(pid, SIGKILL); waitpid(pid, NULL, 0);
        die("start aborted by the daemon before exec (got '%s')", line);
    }
    if (write(go[1], "g", 1) != 1) { kill(pid, SIGKILL); waitpid(pid, NULL, 0); die("release init: %s", strerror(errno)); }
    close(go[1]);
    /* the error pipe is close-on-exec: EOF without a message means execve succeeded */
    char msg[1024]; size_t n = 0; ssize_t r;
    while ((r = read(err[0], msg + n, sizeof msg - 1 - n)) > 0 || (r < 0 && errno == EINTR)) if (r > 0) n += r;
    msg[n] = 0; close(err[0]);
    if (n > 0) { kill(pid, SIGKILL); waitpid(pid, NULL, 0); die("%s", msg); }
    write_pid_file("monitor.pid", getpid());
    write_pid_file("init.pid", pid);
    report("ok %d %d", (int)getpid(), pid);
    hand_over();
    fence_open(cfg.state_dir);
    main_loop(sigfd, -1);
}

static void run_restore(void) {
    int sigfd = setup_signals();
    open_console();
    struct stat st;
    if (fstat(3, &st) < 0 || !S_ISSOCK(st.st_mode)) die("restore: fd 3 is not the CRIU socket");
    int out_wr, errout_wr; make_pipes(&out_wr, &errout_wr);
    write_pid_file("monitor.pid", getpid());
    pid_t pid = fork();
    if (pid < 0) die("fork criu: %s", strerror(errno));
    if (pid == 0) {
        /* criu swrk: 3 = RPC socket, 4/5 = new stdout/stderr write ends for inherit_fd */
        if (dup2(out_wr, CRIU_STDOUT_FD) < 0 || dup2(errout_wr, CRIU_STDERR_FD) < 0) _exit(126);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(2, 1) < 0) _exit(126);
        int fl = fcntl(3, F_GETFD); fcntl(3, F_SETFD, fl & ~FD_CLOEXEC);
        close_from(6);
        sigset_t none; sigemptyset(&none);
        for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execlp(cfg.criu, cfg.criu, "swrk", "3", (char *)NULL);
        fprintf(stderr, "exec %s: %s\n", cfg.criu, strerror(errno));
        _exit(127);
    }
    criu_pid = pid;
    close(3); close(out_wr); close(errout_wr);
    report("criu %d %d", pid, (int)getpid());
    fence_open(cfg.state_dir);
    main_loop(sigfd, 0);
}

/* ---------------- exec: a command in a running container, confined as its init ---------------- */

extern char **environ;

static void join_cgroups(void) {
    char me[32]; int n = snprintf(me, sizeof me, "%d", (int)getpid());
    for (int i = 0; i < cfg.ncgroup_procs; i++) {
        int fd = open(cfg.cgroup_procs[i], O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, me, (size_t)n) != n)
            child_fail("exec: join cgroup %s: %s", cfg.cgroup_procs[i], strerror(errno));
        close(fd);
    }
}

static volatile sig_atomic_t exec_child = 0;

static void forward_signal(int sig) {
    if (exec_child > 0) kill(exec_child, sig);
}

static void run_exec(void) {
    err_fd = 2; /* child_fail: the step goes to the command's stderr, exit 127 */
    char p[PATH_MAX]; snprintf(p, sizeof p, "%s/monitor.log", cfg.state_dir);
    log_fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (log_fd < 0) log_fd = 2;
    for (char **e = environ; *e && cfg.nenv < MAX_LIST - 1; e++) cfg.env[cfg.nenv++] = *e;
    cfg.env[cfg.nenv] = NULL;
    /* cgroup first, so that nothing of the command runs outside the limits; the rules while the host's
     * files are in sight (the state directory is outside the container's mount namespace) */
    join_cgroups();
    if (cfg.confine.seccomp) seccomp_prepare(cfg.confine.seccomp);
    /* opened here, while the host's /dev/pts is in sight; O_NOCTTY: it becomes nobody's terminal but the command's */
    int tty_fd = -1;
    if (cfg.tty && (tty_fd = open(cfg.tty, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
        child_fail("exec: open terminal %s: %s", cfg.tty, strerror(errno));
    int joined = join_namespaces(cfg.exec_target);
    if ((joined & CLONE_NEWUSER) && !cfg.confine.has_user) {
        /* we came in as an unmapped host root: be the container's root, as its init is */
        cfg.confine.has_user = 1; cfg.confine.uid = 0; cfg.confine.gid = 0;
    }
    if (!(joined & CLONE_NEWPID) || !(joined & CLONE_NEWNS))
        child_fail("exec: init %d shares our pid or mount namespace: not a container init", (int)cfg.exec_target);
    struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_handler = forward_signal;
    sigset_t block, old; sigfillset(&block);
    sigprocmask(SIG_BLOCK, &block, &old); /* the child starts with no handler of ours armed */
    pid_t child = fork();
    if (child < 0) child_fail("exec: fork into the container: %s", strerror(errno));
    if (child == 0) {
        for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
        sigset_t none; sigemptyset(&none); sigprocmask(SIG_SETMASK, &none, NULL);
        if (tty_fd >= 0) {
            /* a session of its own with the terminal as stdio and controlling terminal: ^C, ^Z and job
             * control reach the command's foreground group from the terminal itself */
            if (setsid() < 0) child_fail("exec: setsid: %s", strerror(errno));
            for (int fd = 0; fd < 3; fd++)
                if (dup2(tty_fd, fd) < 0) child_fail("exec: terminal as fd %d: %s", fd, strerror(errno));
            if (ioctl(0, TIOCSCTTY, 0) < 0) child_fail("exec: controlling terminal: %s", strerror(errno));
        }
        apply_confinement(&cfg.confine);
        /* after the credentials changed (a change clears it): die with the waiting parent */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) child_fail("exec: parent-death signal: %s", strerror(errno));
        if (getppid() != 0) _exit(127); /* the parent is outside our pid namespace: it shows as 0 while alive */
        if (chdir(cfg.cwd) < 0) child_fail("chdir %s (cwd): %s", cfg.cwd, strerror(errno));
        exec_command();
    }
    exec_child = child;
    int fwd[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof fwd / sizeof fwd[0]; i++) sigaction(fwd[i], &sa, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    int st;
    while (waitpid(child, &st, 0) < 0) {
        if (errno != EINTR) { logmsg("exec: wait for %d: %s", (int)child, strerror(errno)); _exit(127); }
    }
    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

int main(int argc, char **argv) {
    close_from(strcmp(argc > 1 ? argv[1] : "", "restore") ? 3 : 4);
    if (!strcmp(argc > 1 ? argv[1] : "", "devices")) {
        err_fd = 2;
        if (argc == 4 && !strcmp(argv[2], "--count")) { printf("%d\n", device_programs(argv[3])); return 0; }
        if (argc < 3) child_fail("usage: godwit-monitor devices CGROUP_DIR RULE...");
        attach_device_filter(argv[2], argv + 3, argc - 3);
        return 0;
    }
    if (!strcmp(argc > 1 ? argv[1] : "", "exec")) {
        report_fd = 2; log_fd = -1; /* an argument error goes to the command's stderr, once */
        parse_args(argc, argv);
        run_exec();
    }
    parse_args(argc, argv);
    detach_from_jvm();
    if (!strcmp(cfg.mode, "start")) run_start(); else run_restore();
    return 0;
}
