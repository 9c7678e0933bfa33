/*
 * Credentials, no_new_privs and seccomp for the container init (see confine.h).
 *
 * Order matters, as in runc: with no_new_privs the filter is loaded last, after the capabilities
 * are gone (the kernel allows an unprivileged load then); without it the load needs
 * CAP_SYS_ADMIN, so the filter goes in first and must allow what follows (setresuid, capset,
 * prctl, execve: every sane profile does, Godwit's default does).
 *
 * The seccomp rules come as a small line file that the daemon compiles from the spec (JSON
 * profiles are parsed in Java, where errors can name the field):
 *   default ACTION RET
 *   arch NAME                                        (x86_64, x86, x32, ...)
 *   rule ACTION RET SYSCALL NARGS [INDEX OP VALUE VALUE2]...
 * ACTION: allow errno kill_thread kill_process trap log trace; RET is the errno or trace value.
 * OP: ne lt le eq ge gt masked_eq. A syscall this libseccomp does not know is skipped and logged.
 */
#define _GNU_SOURCE
#include "confine.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static scmp_filter_ctx filter;

static int parse_action(const char *name, unsigned ret, uint32_t *out) {
    static const struct { const char *n; uint32_t a; } t[] = {
        {"allow", SCMP_ACT_ALLOW}, {"kill_thread", SCMP_ACT_KILL}, {"kill_process", SCMP_ACT_KILL_PROCESS},
        {"trap", SCMP_ACT_TRAP}, {"log", SCMP_ACT_LOG}};
    if (!strcmp(name, "errno")) { *out = SCMP_ACT_ERRNO(ret); return 0; }
    if (!strcmp(name, "trace")) { *out = SCMP_ACT_TRACE(ret); return 0; }
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) if (!strcmp(name, t[i].n)) { *out = t[i].a; return 0; }
    return -1;
}

static int parse_op(const char *name, enum scmp_compare *out) {
    static const struct { const char *n; enum scmp_compare c; } t[] = {
        {"ne", SCMP_CMP_NE}, {"lt", SCMP_CMP_LT}, {"le", SCMP_CMP_LE}, {"eq", SCMP_CMP_EQ},
        {"ge", SCMP_CMP_GE}, {"gt", SCMP_CMP_GT}, {"masked_eq", SCMP_CMP_MASKED_EQ}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) if (!strcmp(name, t[i].n)) { *out = t[i].c; return 0; }
    return -1;
}

/* One "rule ..." line (after the word "rule"); returns 0 or fails the start. */
static void add_rule(char *line, const char *file, int lineno) {
    char *save = NULL;
    char *action = strtok_r(line, " \t\n", &save), *ret = strtok_r(NULL, " \t\n", &save);
    char *name = strtok_r(NULL, " \t\n", &save), *nargs = strtok_r(NULL, " \t\n", &save);
    uint32_t act;
    if (!action || !ret || !name || !nargs || parse_action(action, (unsigned)strtoul(ret, NULL, 10), &act) < 0)
        child_fail("seccomp %s line %d: malformed rule", file, lineno);
    int n = atoi(nargs);
    if (n < 0 || n > 6) child_fail("seccomp %s line %d: %d argument conditions (at most 6)", file, lineno, n);
    struct scmp_arg_cmp args[6];
    for (int i = 0; i < n; i++) {
        char *idx = strtok_r(NULL, " \t\n", &save), *op = strtok_r(NULL, " \t\n", &save);
        char *v1 = strtok_r(NULL, " \t\n", &save), *v2 = strtok_r(NULL, " \t\n", &save);
        if (!idx || !op || !v1 || !v2 || parse_op(op, &args[i].op) < 0)
            child_fail("seccomp %s line %d: malformed argument condition %d", file, lineno, i);
        args[i].arg = (unsigned)atoi(idx);
        args[i].datum_a = strtoull(v1, NULL, 10);
        args[i].datum_b = strtoull(v2, NULL, 10);
    }
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) { logmsg("seccomp: syscall '%s' unknown to libseccomp, rule skipped", name); return; }
    int rc = seccomp_rule_add_array(filter, act, nr, (unsigned)n, args);
    if (rc < 0) child_fail("seccomp %s line %d: rule for %s: %s", file, lineno, name, strerror(-rc));
}

void seccomp_prepare(const char *file) {
    FILE *f = fopen(file, "re");
    if (!f) child_fail("seccomp rules %s: %s", file, strerror(errno));
    char line[4096]; int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char word[32], action[32]; unsigned ret;
        if (line[0] == '#' || line[0] == '\n') continue;
        if (sscanf(line, "%31s", word) != 1) continue;
        if (!strcmp(word, "default")) {
            uint32_t act;
            if (filter || sscanf(line, "default %31s %u", action, &ret) != 2 || parse_action(action, ret, &act) < 0)
                child_fail("seccomp %s line %d: malformed or repeated default", file, lineno);
            filter = seccomp_init(act);
            if (!filter) child_fail("seccomp_init: out of memory");
            /* we set no_new_privs ourselves, only when the spec asks for it */
            int rc = seccomp_attr_set(filter, SCMP_FLTATR_CTL_NNP, 0);
            if (rc < 0) child_fail("seccomp attribute NNP: %s", strerror(-rc));
        } else if (!filter) {
            child_fail("seccomp %s line %d: 'default' must come first", file, lineno);
        } else if (!strcmp(word, "arch")) {
            char arch[32];
            if (sscanf(line, "arch %31s", arch) != 1) child_fail("seccomp %s line %d: malformed arch", file, lineno);
            uint32_t token = seccomp_arch_resolve_name(arch);
            if (!token) child_fail("seccomp %s line %d: unknown architecture %s", file, lineno, arch);
            int rc = seccomp_arch_add(filter, token);
            if (rc < 0 && rc != -EEXIST) child_fail("seccomp: add architecture %s: %s", arch, strerror(-rc));
        } else if (!strcmp(word, "rule")) {
            add_rule(line + 4, file, lineno);
        } else child_fail("seccomp %s line %d: unknown keyword '%s'", file, lineno, word);
    }
    fclose(f);
    if (!filter) child_fail("seccomp %s: no 'default' line", file);
}

static void load_seccomp(void) {
    int rc = seccomp_load(filter);
    if (rc < 0) child_fail("load seccomp filter: %s", strerror(-rc));
    seccomp_release(filter);
    filter = NULL;
}

static void drop_bounding(uint64_t keep) {
    for (int cap = 0; cap < 64; cap++) {
        if (keep & (1ULL << cap)) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            if (errno == EINVAL) break; /* past the kernel's last capability */
            child_fail("drop capability %d from the bounding set: %s", cap, strerror(errno));
        }
    }
}

/* Effective, permitted and inheritable: the set for root, nothing for another user (as Docker). */
static void set_caps(uint64_t mask, int root) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) < 0) child_fail("capget: %s", strerror(errno));
    uint64_t permitted = d[0].permitted | (uint64_t)d[1].permitted << 32;
    uint64_t set = root ? (mask & permitted) : 0; /* a cap the host does not give us cannot be granted */
    for (int i = 0; i < 2; i++) {
        uint32_t v = (uint32_t)(set >> (32 * i));
        d[i].effective = d[i].permitted = d[i].inheritable = v;
    }
    if (syscall(SYS_capset, &h, d) < 0) child_fail("capset %#llx: %s", (unsigned long long)set, strerror(errno));
}

static void set_user(const struct confinement *c) {
    if (setgroups((size_t)c->ngroups, c->groups) < 0) child_fail("setgroups: %s", strerror(errno));
    if (!c->has_user) return;
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) child_fail("keep capabilities: %s", strerror(errno));
    if (setresgid(c->gid, c->gid, c->gid) < 0) child_fail("setgid %u: %s", (unsigned)c->gid, strerror(errno));
    if (setresuid(c->uid, c->uid, c->uid) < 0) child_fail("setuid %u: %s", (unsigned)c->uid, strerror(errno));
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) child_fail("reset keep capabilities: %s", strerror(errno));
}

void apply_confinement(const struct confinement *c) {
    if (filter && !c->no_new_privs) load_seccomp();
    if (c->has_caps) drop_bounding(c->caps);
    set_user(c);
    if (c->has_caps) set_caps(c->caps, !c->has_user || c->uid == 0);
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        child_fail("clear ambient capabilities: %s", strerror(errno));
    if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) child_fail("no_new_privs: %s", strerror(errno));
    if (filter) load_seccomp();
}
