/* Compatibility program: an open file whose last name is gone. Usage: unlinked own|image.
 * own: made in the container's own layer (/tmp) and unlinked (CRIU saves it as a ghost file).
 * image: a file of the image's layer (/etc/hostname) opened read-only and unlinked: overlayfs
 * leaves a whiteout and still counts a link, which CRIU handles only with link_remap.
 * The check reads the file through its fd and wants its name still gone. */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>

static const size_t SIZE = 64 * 1024;
static int own_fd = -1, image_fd = -1;
static int image_mode;
static char image_text[256];

static int setup(void) {
    if (image_mode) {
        CHECK_SYS(image_fd = open("/etc/hostname", O_RDONLY));
        ssize_t n = read(image_fd, image_text, sizeof image_text - 1);
        if (n <= 0) FAIL("read /etc/hostname: %s", n < 0 ? strerror(errno) : "empty");
        image_text[n] = 0;
        CHECK_SYS(unlink("/etc/hostname"));
        return 0;
    }
    unsigned char *b = malloc(SIZE);
    compat_fill(b, SIZE, 5);
    CHECK_SYS(own_fd = open("/tmp/unlinked-own", O_RDWR | O_CREAT | O_TRUNC, 0600));
    if (write(own_fd, b, SIZE) != (ssize_t) SIZE) FAIL("write: %s", strerror(errno));
    free(b);
    CHECK_SYS(unlink("/tmp/unlinked-own"));
    return 0;
}

static int check_image(void) {
    char text[256];
    ssize_t n = pread(image_fd, text, sizeof text - 1, 0);
    if (n < 0) FAIL("pread image file: %s", strerror(errno));
    text[n] = 0;
    if (strcmp(text, image_text) != 0) FAIL("image file now reads '%.60s'", text);
    if (access("/etc/hostname", F_OK) == 0) FAIL("/etc/hostname is back");
    return 0;
}

static int check(void) {
    if (image_mode) return check_image();
    struct stat st;
    CHECK_SYS(fstat(own_fd, &st));
    if (st.st_nlink != 0) FAIL("own file has %lu links again", (unsigned long) st.st_nlink);
    if ((size_t) st.st_size != SIZE) FAIL("own file is %ld bytes, not %zu", (long) st.st_size, SIZE);
    unsigned char *b = malloc(SIZE);
    ssize_t n = pread(own_fd, b, SIZE, 0);
    int same = n == (ssize_t) SIZE && compat_same(b, SIZE, 5);
    free(b);
    if (!same) FAIL("own file's content changed (read %zd)", n);
    if (access("/tmp/unlinked-own", F_OK) == 0) FAIL("/tmp/unlinked-own is back");
    return 0;
}

int main(int argc, char **argv) {
    image_mode = argc > 1 && strcmp(argv[1], "image") == 0;
    return compat_run(image_mode ? "unlinked-image" : "unlinked-own", setup, check);
}
