/* Test program: prints an increasing count, one line per interval (default 100 ms), and
 * keeps the latest value in /tmp/count so a test can read it from the rootfs too.
 * Usage: counter [interval_ms] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long interval_ms = argc > 1 ? atol(argv[1]) : 100;
    struct timespec pause = { interval_ms / 1000, (interval_ms % 1000) * 1000000L };
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (unsigned long n = 0;; n++) {
        printf("%lu\n", n);
        int fd = open("/tmp/count.tmp", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dprintf(fd, "%lu\n", n);
            close(fd);
            rename("/tmp/count.tmp", "/tmp/count");
        }
        nanosleep(&pause, NULL);
    }
}
