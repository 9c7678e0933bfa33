/* Compatibility program: remembers the inode numbers of an open file and of a directory of the
 * container's layer, as programs that cache st_ino do; the check wants them unchanged. Only a
 * restore onto the same file system can keep them (a move or a clone gets new inodes). */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>

static int fd;
static ino_t file_ino, dir_ino;

static int setup(void) {
    CHECK_SYS(mkdir("/tmp/inode-dir", 0755));
    CHECK_SYS(fd = open("/tmp/inode-dir/file", O_RDWR | O_CREAT, 0644));
    struct stat st;
    CHECK_SYS(fstat(fd, &st));
    file_ino = st.st_ino;
    CHECK_SYS(stat("/tmp/inode-dir", &st));
    dir_ino = st.st_ino;
    return 0;
}

static int check(void) {
    struct stat st;
    CHECK_SYS(fstat(fd, &st));
    if (st.st_ino != file_ino) FAIL("open file's inode %lu became %lu", (unsigned long) file_ino, (unsigned long) st.st_ino);
    CHECK_SYS(stat("/tmp/inode-dir/file", &st));
    if (st.st_ino != file_ino) FAIL("file by name has inode %lu, not %lu", (unsigned long) st.st_ino, (unsigned long) file_ino);
    CHECK_SYS(stat("/tmp/inode-dir", &st));
    if (st.st_ino != dir_ino) FAIL("directory's inode %lu became %lu", (unsigned long) dir_ino, (unsigned long) st.st_ino);
    return 0;
}

int main(void) { return compat_run("inode", setup, check); }
