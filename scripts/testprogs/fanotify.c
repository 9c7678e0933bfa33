/* Compatibility program: a fanotify group (as an unprivileged container may make one: FID
 * reporting, notification class) with an inode mark on a directory of the container's layer.
 * The check creates a file there and reads the event. */
#include "compat.h"
#include <fcntl.h>
#include <linux/fanotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <poll.h>

static int fan_fd;
static unsigned round_no;

static int setup(void) {
    CHECK_SYS(mkdir("/tmp/marked", 0755));
    CHECK_SYS(fan_fd = syscall(SYS_fanotify_init, FAN_CLASS_NOTIF | FAN_REPORT_FID | FAN_NONBLOCK, O_RDONLY));
    CHECK_SYS(syscall(SYS_fanotify_mark, fan_fd, FAN_MARK_ADD, (unsigned long long) (FAN_CREATE | FAN_ONDIR),
            AT_FDCWD, "/tmp/marked"));
    return 0;
}

static int check(void) {
    char name[64];
    snprintf(name, sizeof name, "/tmp/marked/f%u", ++round_no);
    int fd;
    CHECK_SYS(fd = open(name, O_CREAT | O_WRONLY, 0644));
    close(fd);
    for (int i = 0; i < 100; i++) {
        struct pollfd p = { fan_fd, POLLIN, 0 };
        poll(&p, 1, 20);
        char buf[4096] __attribute__((aligned(8)));
        ssize_t n = read(fan_fd, buf, sizeof buf);
        for (ssize_t off = 0; n > 0 && off < n;) {
            struct fanotify_event_metadata *m = (struct fanotify_event_metadata *) (buf + off);
            if (m->mask & FAN_CREATE) return 0;
            off += m->event_len;
        }
    }
    FAIL("no FAN_CREATE for %s", name);
}

int main(void) { return compat_run("fanotify", setup, check); }
