/* Compatibility program: an inotify instance watching a directory of the container's own layer
 * (/tmp/watched) and a file of the image (/etc/passwd). The check makes an event on each and
 * reads it back with the watch descriptors it got at setup. */
#include "compat.h"
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <poll.h>

static int in_fd, dir_wd, file_wd;
static unsigned round_no;

static int setup(void) {
    CHECK_SYS(mkdir("/tmp/watched", 0755));
    CHECK_SYS(in_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    CHECK_SYS(dir_wd = inotify_add_watch(in_fd, "/tmp/watched", IN_CREATE));
    CHECK_SYS(file_wd = inotify_add_watch(in_fd, "/etc/passwd", IN_ACCESS));
    return 0;
}

/* Reads events for up to 2 s until both watches reported. */
static int check(void) {
    char name[64];
    snprintf(name, sizeof name, "/tmp/watched/f%u", ++round_no);
    int fd;
    CHECK_SYS(fd = open(name, O_CREAT | O_WRONLY, 0644));
    close(fd);
    char b[16];
    CHECK_SYS(fd = open("/etc/passwd", O_RDONLY));
    if (read(fd, b, sizeof b) < 0) FAIL("read /etc/passwd: %s", strerror(errno));
    close(fd);
    int seen_dir = 0, seen_file = 0;
    for (int i = 0; i < 100 && !(seen_dir && seen_file); i++) {
        struct pollfd p = { in_fd, POLLIN, 0 };
        poll(&p, 1, 20);
        char buf[4096] __attribute__((aligned(8)));
        ssize_t n = read(in_fd, buf, sizeof buf);
        for (ssize_t off = 0; n > 0 && off < n;) {
            struct inotify_event *e = (struct inotify_event *) (buf + off);
            if (e->wd == dir_wd && (e->mask & IN_CREATE)) seen_dir = 1;
            if (e->wd == file_wd && (e->mask & IN_ACCESS)) seen_file = 1;
            off += sizeof *e + e->len;
        }
    }
    if (!seen_dir) FAIL("no IN_CREATE on watch %d (/tmp/watched)", dir_wd);
    if (!seen_file) FAIL("no IN_ACCESS on watch %d (/etc/passwd)", file_wd);
    return 0;
}

int main(void) { return compat_run("inotify", setup, check); }
