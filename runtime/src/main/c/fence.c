/*
 * The monitor's fence; see fence.h. The monitor outlives its daemon, so it is the one process that
 * can still stop a failover container once the daemon has crashed.
 *
 * STATE_DIR/fence (written by the daemon, temp + rename): "DEADLINE WINDOW FREEZE CGROUP\n"
 *   DEADLINE  CLOCK_MONOTONIC ns: the daemon's last acknowledged renewal was sent at DEADLINE - WINDOW
 *   WINDOW    T1 in ns; the monitor never waits longer than this from reading a deadline (so a
 *             daemon whose clock differed from ours could only make it fence earlier, never later)
 *   FREEZE    F in ns: a cgroup not frozen within this is killed
 *   CGROUP    the container's freezer cgroup directory (v2: cgroup.freeze; v1: freezer.state)
 * Deleted: the fence is disarmed. A newer deadline stops the re-freezing but never thaws: only the
 * daemon thaws, once it knows the container was not restored elsewhere.
 * STATE_DIR/fenced (written here): "frozen NS\n" or "killed NS\n", removed by the daemon once settled.
 */
#define _GNU_SOURCE
#include "fence.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

void logmsg(const char *fmt, ...);

#define RECHECK_NS 200000000LL /* while fenced: someone thawed it? freeze again */

/* shorter than PATH_MAX, so that DIR/NAME always fits a PATH_MAX buffer */
#define DIR_MAX (PATH_MAX - 64)
static char dir[DIR_MAX];
static int watch_fd = -1, timer_fd = -1;
static int armed, enforcing, killed;
static long long deadline, window_ns, freeze_ns;
static char cgroup[DIR_MAX];

static long long now_ns(void) {
    struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void set_timer(long long at) {
    struct itimerspec its = {{0, 0}, {0, 0}};
    if (at > 0) { its.it_value.tv_sec = at / 1000000000LL; its.it_value.tv_nsec = at % 1000000000LL; }
    if (timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0) logmsg("fence: timerfd_settime: %s", strerror(errno));
}

static int read_file(const char *path, char *buf, size_t cap) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    if (n < 0) return -1;
    buf[n] = 0;
    return (int)n;
}

static int write_file(const char *path, const char *s) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, s, strlen(s));
    int e = errno; close(fd); errno = e;
    return n == (ssize_t)strlen(s) ? 0 : -1;
}

static void cg_file(char *out, const char *name) { snprintf(out, PATH_MAX, "%s/%s", cgroup, name); }

static int is_v2(void) {
    char p[PATH_MAX]; cg_file(p, "cgroup.freeze");
    return access(p, F_OK) == 0;
}

/* Asks the freezer to freeze; 0 when asked. */
static int ask_freeze(void) {
    char p[PATH_MAX];
    if (is_v2()) { cg_file(p, "cgroup.freeze"); return write_file(p, "1"); }
    cg_file(p, "freezer.state");
    return write_file(p, "FROZEN");
}

static int frozen(void) {
    char p[PATH_MAX], buf[512];
    if (is_v2()) {
        cg_file(p, "cgroup.events");
        if (read_file(p, buf, sizeof buf) < 0) return 0;
        return strstr(buf, "frozen 1") != NULL;
    }
    cg_file(p, "freezer.state"); /* v1: reading it advances FREEZING to FROZEN */
    if (read_file(p, buf, sizeof buf) < 0) return 0;
    return !strncmp(buf, "FROZEN", 6);
}

/* Whether the freeze is still asked for (a checkpoint that ended, or a resume, clears it). */
static int freeze_wanted(void) {
    char p[PATH_MAX], buf[64];
    if (is_v2()) { cg_file(p, "cgroup.freeze"); return read_file(p, buf, sizeof buf) > 0 && buf[0] == '1'; }
    cg_file(p, "freezer.state");
    return read_file(p, buf, sizeof buf) > 0 && strncmp(buf, "THAWED", 6);
}

static void mark(const char *what) {
    char path[PATH_MAX], tmp[PATH_MAX], line[64];
    snprintf(path, sizeof path, "%s/fenced", dir);
    snprintf(tmp, sizeof tmp, "%s/.fenced.tmp", dir);
    snprintf(line, sizeof line, "%s %lld\n", what, now_ns());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line) || fsync(fd) < 0 || rename(tmp, path) < 0)
        logmsg("fence: cannot write %s: %s", path, strerror(errno));
    if (fd >= 0) close(fd);
}

/* Every task of the cgroup: v2 cgroup.kill where the kernel has it, else SIGKILL to each (v1: then thaw,
 * since a frozen task takes its SIGKILL only once thawed; it dies before it runs a user instruction). */
static void kill_all(void) {
    char p[PATH_MAX];
    cg_file(p, "cgroup.kill");
    if (is_v2() && write_file(p, "1") == 0) return;
    cg_file(p, "cgroup.procs");
    FILE *f = fopen(p, "re");
    if (!f) { logmsg("fence: cannot read %s: %s", p, strerror(errno)); return; }
    int pid;
    while (fscanf(f, "%d", &pid) == 1) if (pid > 0 && pid != getpid()) kill(pid, SIGKILL);
    fclose(f);
    if (!is_v2()) { cg_file(p, "freezer.state"); write_file(p, "THAWED"); }
}

/* The deadline passed: freeze within F or kill. Called again every RECHECK_NS while fenced. */
static void fence_now(void) {
    long long t = now_ns();
    if (!enforcing) {
        logmsg("fence: no lease renewal of the daemon acknowledged in time (deadline passed %lld ms ago): freezing %s",
               (t - deadline) / 1000000, cgroup);
        enforcing = 1;
    } else if (killed || (frozen() && freeze_wanted())) {
        return;
    } else {
        logmsg("fence: %s was thawed while fenced: freezing it again", cgroup);
    }
    if (ask_freeze() < 0) logmsg("fence: cannot freeze %s: %s", cgroup, strerror(errno));
    long long until = t + freeze_ns;
    while (!frozen() && now_ns() < until) {
        struct timespec ts = {0, 10000000}; nanosleep(&ts, NULL);
        if (!is_v2()) ask_freeze(); /* v1: a task busy the first time is tried again */
    }
    if (frozen()) {
        logmsg("fence: %s frozen after %lld ms", cgroup, (now_ns() - t) / 1000000);
        mark("frozen");
    } else {
        logmsg("fence: %s not frozen within %lld ms: killing every task of it", cgroup, freeze_ns / 1000000);
        kill_all();
        killed = 1;
        mark("killed");
    }
}

static void reread(void) {
    char path[PATH_MAX], buf[PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/fence", dir);
    if (read_file(path, buf, sizeof buf) < 0) {
        if (armed) logmsg("fence: disarmed (%s removed)", path);
        armed = enforcing = 0; set_timer(0);
        return;
    }
    long long d, w, f; int at = 0;
    char *nl = strchr(buf, '\n');
    if (nl) *nl = 0;
    /* the cgroup directory is the rest of the line (it may hold spaces) */
    if (sscanf(buf, "%lld %lld %lld %n", &d, &w, &f, &at) != 3 || at == 0 || !buf[at] || w <= 0 || f <= 0
        || strlen(buf + at) >= DIR_MAX) {
        logmsg("fence: ignoring malformed %s: '%.80s'", path, buf);
        return;
    }
    const char *cg = buf + at;
    long long t = now_ns();
    if (d > t + w) d = t + w; /* never later than T1 from now, whatever the writer's clock says */
    if (!armed) logmsg("fence: armed for %s, deadline in %lld ms", cg, (d - t) / 1000000);
    armed = 1; deadline = d; window_ns = w; freeze_ns = f;
    snprintf(cgroup, sizeof cgroup, "%s", cg);
    if (d > t) enforcing = 0; /* renewed: stop re-freezing; the daemon thaws if it was fenced */
    set_timer(d > t ? d : t + 1);
}

int fence_open(const char *state_dir) {
    snprintf(dir, sizeof dir, "%s", state_dir);
    watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (watch_fd < 0 || timer_fd < 0
        || inotify_add_watch(watch_fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM) < 0) {
        logmsg("fence: cannot watch %s: %s (no fencing by the monitor)", dir, strerror(errno));
        if (watch_fd >= 0) close(watch_fd);
        if (timer_fd >= 0) close(timer_fd);
        watch_fd = timer_fd = -1;
        return -1;
    }
    reread();
    return 0;
}

int fence_watch_fd(void) { return watch_fd; }
int fence_timer_fd(void) { return timer_fd; }

void fence_on_watch(void) {
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    int touched = 0; ssize_t n;
    while ((n = read(watch_fd, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *e = (struct inotify_event *)p;
            if (e->len && !strcmp(e->name, "fence")) touched = 1;
            p += sizeof *e + e->len;
        }
    }
    if (touched) reread();
}

void fence_on_timer(void) {
    unsigned long long ticks;
    if (read(timer_fd, &ticks, sizeof ticks) < 0) { /* spurious */ }
    if (!armed) return;
    long long t = now_ns();
    if (t < deadline) { set_timer(deadline); return; }
    fence_now();
    set_timer(now_ns() + RECHECK_NS);
}
