/*
 * Paths inside the container's root, resolved as the container will see them: openat2 with
 * RESOLVE_IN_ROOT makes an image's absolute symlinks and ".." stay inside the rootfs, so a
 * volume target like /vfile -> /tmp/x can never reach the host's /tmp. Mounts then go onto the
 * resolved fd (move_mount, or /proc/self/fd/N), never onto a path joined by string.
 * Also the /proc and /sys masks and read-only paths, applied after pivot_root as runc does.
 */
#define _GNU_SOURCE
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_resolved(int rootfd, const char *path, int flags) {
    struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

/*
 * An O_PATH fd of PATH inside the root. Missing components are created one at a time in their
 * resolved parent (mkdirat, or O_CREAT|O_EXCL|O_NOFOLLOW for a last component that is a file),
 * so a creation never follows a symlink out. Returns -1 with errno on failure.
 */
int open_in_root(int rootfd, const char *path, int create_as_dir, int create_as_file) {
    int fd = open_resolved(rootfd, path, O_PATH);
    if (fd >= 0 || errno != ENOENT || !(create_as_dir || create_as_file)) return fd;
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) { errno = ENAMETOOLONG; return -1; }
    size_t len = strlen(buf);
    while (len > 1 && buf[len - 1] == '/') buf[--len] = 0;
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != 0) continue;
        char saved = buf[i];
        buf[i] = 0;
        char *slash = strrchr(buf, '/');
        const char *name = slash + 1;
        int exists = -1;
        if (*name && strcmp(name, ".") != 0) exists = open_resolved(rootfd, buf, O_PATH);
        if (exists >= 0) close(exists);
        else if (*name && strcmp(name, ".") != 0) {
            if (errno != ENOENT) return -1;
            *slash = 0;
            int parent = open_resolved(rootfd, *buf ? buf : "/", O_PATH | O_DIRECTORY);
            *slash = '/';
            if (parent < 0) return -1;
            int r;
            if (saved == 0 && create_as_file) {
                r = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (r >= 0) close(r);
            } else r = mkdirat(parent, name, 0755);
            int e = errno;
            close(parent);
            if (r < 0 && e != EEXIST) { errno = e; return -1; }
        }
        buf[i] = saved;
    }
    return open_resolved(rootfd, path, O_PATH);
}

void bind_volume(int rootfd, const char *src, const char *dst, int ro) {
    struct stat st;
    if (stat(src, &st) < 0) child_fail("volume %s: %s", src, strerror(errno));
    int dir = S_ISDIR(st.st_mode);
    int target = open_in_root(rootfd, dst, dir, !dir);
    if (target < 0)
        child_fail("volume %s: target %s cannot be resolved inside the rootfs: %s", src, dst, strerror(errno));
    struct stat ts;
    if (fstat(target, &ts) < 0 || S_ISDIR(ts.st_mode) != dir)
        child_fail("volume %s: target %s (resolved inside the rootfs) is not a %s", src, dst, dir ? "directory" : "file");
    /* a detached copy of the host tree: made read-only as a whole, then attached at the resolved target */
    int tree = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (tree < 0) child_fail("volume %s: open_tree: %s", src, strerror(errno));
    if (ro) {
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
            child_fail("volume %s: make read-only (recursive): %s", src, strerror(errno));
    }
    if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        child_fail("volume %s: attach at %s: %s", src, dst, strerror(errno));
    close(tree);
    close(target);
}

void mount_tmpfs_in_root(int rootfd, const char *dst) {
    int target = open_in_root(rootfd, dst, 1, 0);
    if (target < 0) child_fail("tmpfs %s: cannot be resolved inside the rootfs: %s", dst, strerror(errno));
    char via[64];
    snprintf(via, sizeof via, "/proc/self/fd/%d", target);
    if (mount("tmpfs", via, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=65536k") < 0)
        child_fail("tmpfs %s: mount: %s", dst, strerror(errno));
    close(target);
}

void set_read_only(const char *path, int recursive, const char *step) {
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
    if (mount_setattr(AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, &attr, sizeof attr) < 0)
        child_fail("%s (%s): %s", step, path, strerror(errno));
}

/* A directory gets an empty read-only tmpfs over it, a file the container's /dev/null. */
void mask_path(const char *path) {
    struct stat st;
    if (stat(path, &st) < 0) {
        if (errno == ENOENT) return;
        child_fail("mask %s: %s", path, strerror(errno));
    }
    int r = S_ISDIR(st.st_mode)
        ? mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=0555")
        : mount("/dev/null", path, NULL, MS_BIND, NULL);
    if (r < 0) child_fail("mask %s: %s", path, strerror(errno));
}

void readonly_path(const char *path) {
    if (access(path, F_OK) < 0) {
        if (errno == ENOENT) return;
        child_fail("read-only %s: %s", path, strerror(errno));
    }
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) child_fail("read-only %s: bind: %s", path, strerror(errno));
    set_read_only(path, 1, "read-only path");
}
