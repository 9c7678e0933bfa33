/*
 * The container init's confinement, applied by the monitor's child between building the root and
 * execve (see MONITOR.md): root paths resolved inside the rootfs, masked and read-only /proc and
 * /sys paths, capabilities, user and groups, no_new_privs and the seccomp filter.
 */
#ifndef GODWIT_CONFINE_H
#define GODWIT_CONFINE_H

#include <stdint.h>
#include <sys/types.h>

#define MAX_GROUPS 64

struct confinement {
    uint64_t caps;          /* capability mask for bounding (and eff/prm/inh when uid is 0) */
    int has_caps;           /* 0: leave capabilities alone (no --caps given) */
    int no_new_privs;
    const char *seccomp;    /* rules file written by the daemon, or NULL: no filter */
    int has_user; uid_t uid; gid_t gid;
    gid_t groups[MAX_GROUPS]; int ngroups;
};

/* Fails the container start with a message for the daemon; never returns (in godwit-monitor.c). */
void child_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* rootpaths.c: all paths are container paths, resolved inside ROOTFD (symlinks and ".." cannot leave it). */
int open_in_root(int rootfd, const char *path, int create_as_dir, int create_as_file);
void bind_volume(int rootfd, const char *src, const char *dst, int ro);
void mount_tmpfs_in_root(int rootfd, const char *dst);
void mask_path(const char *path);
void readonly_path(const char *path);
void set_read_only(const char *path, int recursive, const char *step);

/* confine.c */
void seccomp_prepare(const char *rules_file); /* reads the rules while the host path is reachable */
void apply_confinement(const struct confinement *c);

/* joinns.c: enters every namespace of PID that differs from ours; returns the CLONE_NEW* flags joined. */
int join_namespaces(pid_t pid);

/* devices.c: cgroup v2's device allow-list as an eBPF program; RULES as v1's devices.allow lines. */
void attach_device_filter(const char *cgroup_dir, char **rules, int nrules);
int device_programs(const char *cgroup_dir); /* how many device programs the cgroup itself has */

#endif
