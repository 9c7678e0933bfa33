/*
 * The device allow-list on cgroup v2 (see confine.h), where the devices controller is an eBPF
 * program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to the container's cgroup: the kernel runs
 * it on every mknod and every open of a device node, and allows the access only if it returns 1.
 *
 * The program is built here from the same rule lines as the v1 devices.allow (DeviceRules in the
 * runtime: "c 1:3 rwm", "b *:* m", "c 136:* rwm"...), a handful of instructions per rule:
 *   r2 = access (mknod 1, read 2, write 4)   r3 = type (block 1, char 2)   r4 = major   r5 = minor
 *   per rule:  if r3 != TYPE goto next;  r0 = r2 & ~ACCESS; if r0 != 0 goto next;
 *              [if r4 != MAJOR goto next;] [if r5 != MINOR goto next;]  return 1;  next:
 *   last:      return 0
 * loaded with bpf(2) (no libbpf), attached with BPF_F_ALLOW_MULTI, and then the programs that were
 * attached before (an earlier start or restore into the same cgroup) are detached, as runc does:
 * there is never a moment with no filter. The attachment keeps the program alive after we exit.
 * CRIU does not dump or restore cgroup BPF programs: a restore into a new cgroup runs this again.
 */
#define _GNU_SOURCE
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_INSNS 4096

static struct bpf_insn insns[MAX_INSNS];
static int ninsns;

static void emit(__u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm) {
    if (ninsns >= MAX_INSNS) child_fail("devices: too many rules");
    insns[ninsns++] = (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

/* "c 1:3 rwm", "b *:* m": type, major, minor (-1: any) and access bits. */
static void parse_rule(const char *rule, int *type, long *major, long *minor, int *access) {
    char t, maj[16], min[16], acc[8];
    if (sscanf(rule, " %c %15[^:]:%15s %7s", &t, maj, min, acc) != 4 || (t != 'c' && t != 'b'))
        child_fail("devices: malformed rule '%s' (want e.g. 'c 1:3 rwm')", rule);
    *type = t == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
    *major = strcmp(maj, "*") ? atol(maj) : -1;
    *minor = strcmp(min, "*") ? atol(min) : -1;
    *access = 0;
    for (const char *a = acc; *a; a++) {
        if (*a == 'm') *access |= BPF_DEVCG_ACC_MKNOD;
        else if (*a == 'r') *access |= BPF_DEVCG_ACC_READ;
        else if (*a == 'w') *access |= BPF_DEVCG_ACC_WRITE;
        else child_fail("devices: rule '%s': access '%c' is not one of r, w, m", rule, *a);
    }
}

static void build_program(char **rules, int nrules) {
    ninsns = 0;
    emit(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
    emit(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
    emit(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_3, 0, 0, 0xffff);
    emit(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_2, 0, 0, 16);
    emit(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, major), 0);
    emit(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
    for (int r = 0; r < nrules; r++) {
        int type, access; long major, minor;
        parse_rule(rules[r], &type, &major, &minor, &access);
        int jumps[4], nj = 0;
        jumps[nj++] = ninsns; emit(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_3, 0, 0, type);
        emit(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_0, BPF_REG_2, 0, 0);
        emit(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_0, 0, 0, ~access);
        jumps[nj++] = ninsns; emit(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 0, 0);
        if (major >= 0) { jumps[nj++] = ninsns; emit(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, (__s32)major); }
        if (minor >= 0) { jumps[nj++] = ninsns; emit(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (__s32)minor); }
        emit(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
        emit(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
        for (int j = 0; j < nj; j++) insns[jumps[j]].off = (__s16)(ninsns - jumps[j] - 1); /* to the next rule */
    }
    emit(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
    emit(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static long bpf(int cmd, union bpf_attr *attr) {
    return syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

/* The ids of the device programs attached to the cgroup itself (not inherited); returns their count. */
static int attached(int cgfd, __u32 *ids, __u32 cap) {
    union bpf_attr q; memset(&q, 0, sizeof q);
    q.query.target_fd = (__u32)cgfd;
    q.query.attach_type = BPF_CGROUP_DEVICE;
    q.query.prog_ids = (__u64)(unsigned long)ids;
    q.query.prog_cnt = cap;
    if (bpf(BPF_PROG_QUERY, &q) < 0) child_fail("devices: query programs: %s", strerror(errno));
    return (int)q.query.prog_cnt;
}

static int open_cgroup(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) child_fail("devices: open cgroup %s: %s", dir, strerror(errno));
    return fd;
}

int device_programs(const char *cgroup_dir) {
    int cgfd = open_cgroup(cgroup_dir);
    __u32 ids[64];
    int n = attached(cgfd, ids, 64);
    close(cgfd);
    return n;
}

void attach_device_filter(const char *cgroup_dir, char **rules, int nrules) {
    build_program(rules, nrules);
    int cgfd = open_cgroup(cgroup_dir);
    __u32 old[64];
    int nold = attached(cgfd, old, 64);
    if (nold > 64) child_fail("devices: %d programs already attached to %s", nold, cgroup_dir);

    static char verifier_log[65536];
    union bpf_attr load; memset(&load, 0, sizeof load);
    load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    load.insns = (__u64)(unsigned long)insns;
    load.insn_cnt = (__u32)ninsns;
    load.license = (__u64)(unsigned long)"Apache-2.0";
    load.log_buf = (__u64)(unsigned long)verifier_log;
    load.log_size = sizeof verifier_log;
    load.log_level = 1;
    int prog = (int)bpf(BPF_PROG_LOAD, &load);
    if (prog < 0) child_fail("devices: load the device program (%d instructions): %s; verifier: %.400s",
                             ninsns, strerror(errno), verifier_log);

    union bpf_attr at; memset(&at, 0, sizeof at);
    at.target_fd = (__u32)cgfd;
    at.attach_bpf_fd = (__u32)prog;
    at.attach_type = BPF_CGROUP_DEVICE;
    at.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf(BPF_PROG_ATTACH, &at) < 0) child_fail("devices: attach to %s: %s", cgroup_dir, strerror(errno));

    for (int i = 0; i < nold; i++) {
        union bpf_attr g; memset(&g, 0, sizeof g);
        g.prog_id = old[i];
        int ofd = (int)bpf(BPF_PROG_GET_FD_BY_ID, &g);
        if (ofd < 0) { if (errno == ENOENT) continue; child_fail("devices: old program %u: %s", old[i], strerror(errno)); }
        union bpf_attr d; memset(&d, 0, sizeof d);
        d.target_fd = (__u32)cgfd;
        d.attach_bpf_fd = (__u32)ofd;
        d.attach_type = BPF_CGROUP_DEVICE;
        if (bpf(BPF_PROG_DETACH, &d) < 0 && errno != ENOENT)
            child_fail("devices: detach old program %u from %s: %s", old[i], cgroup_dir, strerror(errno));
        close(ofd);
    }
    close(prog);
    close(cgfd);
}
