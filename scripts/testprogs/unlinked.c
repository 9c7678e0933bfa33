/* Compatibility program: open files whose last name is gone. One made in the container's own
 * layer (/tmp) and unlinked, one from the image's layer (/etc/hostname) opened read-only and
 * unlinked (overlayfs whites it out). The check reads both through their fds. */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>

static const size_t SIZE = 64 * 1024;
static int own_fd, image_fd;
static char image_text[256];

static int setup(void) {
    unsigned char *b = malloc(SIZE);
    compat_fill(b, SIZE, 5);
    CHECK_SYS(own_fd = open("/tmp/unlinked-own", O_RDWR | O_CREAT | O_TRUNC, 0600));
    if (write(own_fd, b, SIZE) != (ssize_t) SIZE) FAIL("write: %s", strerror(errno));
    free(b);
    CHECK_SYS(unlink("/tmp/unlinked-own"));
    CHECK_SYS(image_fd = open("/etc/hostname", O_RDONLY));
    ssize_t n = read(image_fd, image_text, sizeof image_text - 1);
    if (n <= 0) FAIL("read /etc/hostname: %s", n < 0 ? strerror(errno) : "empty");
    image_text[n] = 0;
    CHECK_SYS(unlink("/etc/hostname"));
    return 0;
}

static int check(void) {
    struct stat st;
    CHECK_SYS(fstat(own_fd, &st));
    if (st.st_nlink != 0) FAIL("own file has %lu links again", (unsigned long) st.st_nlink);
    if ((size_t) st.st_size != SIZE) FAIL("own file is %ld bytes, not %zu", (long) st.st_size, SIZE);
    unsigned char *b = malloc(SIZE);
    ssize_t n = pread(own_fd, b, SIZE, 0);
    int same = n == (ssize_t) SIZE && compat_same(b, SIZE, 5);
    free(b);
    if (!same) FAIL("own file's content changed (read %zd)", n);
    char text[256];
    n = pread(image_fd, text, sizeof text - 1, 0);
    if (n < 0) FAIL("pread image file: %s", strerror(errno));
    text[n] = 0;
    if (strcmp(text, image_text) != 0) FAIL("image file now reads '%.60s'", text);
    if (access("/etc/hostname", F_OK) == 0) FAIL("/etc/hostname is back");
    if (access("/tmp/unlinked-own", F_OK) == 0) FAIL("/tmp/unlinked-own is back");
    return 0;
}

int main(void) { return compat_run("unlinked", setup, check); }
