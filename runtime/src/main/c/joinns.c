/*
 * Entering a running container's namespaces for `godwit exec` (see confine.h), as runc exec does:
 * every namespace of the container's init that differs from the caller's, joined in one setns(2)
 * on a pidfd (Linux 5.8+). One call is atomic (all or none) and orders the user namespace
 * correctly by itself; the pidfd also pins the init, so a reused pid cannot be joined by mistake
 * after the daemon looked it up. Joining the mount namespace sets root and cwd to the container's
 * pivoted root (the kernel looks up "/" with LOOKUP_DOWN).
 */
#define _GNU_SOURCE
#include "confine.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct { const char *name; int flag; } kinds[] = {
    {"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS}, {"pid", CLONE_NEWPID}, {"uts", CLONE_NEWUTS},
    {"ipc", CLONE_NEWIPC}, {"net", CLONE_NEWNET}, {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME}};

/* Whether /proc/PID/ns/NAME is another namespace than ours (a kind this kernel lacks: no). */
static int differs(pid_t pid, const char *name) {
    char theirs[64], ours[64];
    snprintf(theirs, sizeof theirs, "/proc/%d/ns/%s", (int)pid, name);
    snprintf(ours, sizeof ours, "/proc/self/ns/%s", name);
    struct stat a, b;
    if (stat(ours, &b) < 0) return 0;
    if (stat(theirs, &a) < 0) child_fail("exec: namespace %s of init %d: %s", name, (int)pid, strerror(errno));
    return a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

int join_namespaces(pid_t pid) {
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) child_fail("exec: pidfd_open init %d: %s", (int)pid, strerror(errno));
    int flags = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (differs(pid, kinds[i].name)) flags |= kinds[i].flag;
    /* the pidfd was opened before the look-ups: if the init is still the one it names, they were its own */
    if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
        child_fail("exec: init %d is gone: %s", (int)pid, strerror(errno));
    if (flags && setns(pidfd, flags) < 0)
        child_fail("exec: join the namespaces (%#x) of init %d: %s", flags, (int)pid, strerror(errno));
    close(pidfd);
    return flags;
}
