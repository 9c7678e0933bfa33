/* Compatibility program: unix sockets of each type with queued data: stream, datagram and
 * seqpacket socket pairs; a listening stream socket at /tmp/compat.sock with an accepted
 * connection and one waiting in its backlog; a datagram socket bound to an abstract name.
 * The check reads every queue (keeping record boundaries) and refills it. */
#include "compat.h"
#include <fcntl.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static int st[2], dg[2], sp[2], listener, served[2], waiting, abstract;
static struct sockaddr_un path_addr, abstract_addr;
static socklen_t abstract_len;

static int queue(void) {
    if (send(st[0], "stream-data", 11, 0) != 11) FAIL("stream send: %s", strerror(errno));
    if (send(dg[0], "d1", 2, 0) != 2 || send(dg[0], "dgram2", 6, 0) != 6) FAIL("dgram send: %s", strerror(errno));
    if (send(sp[0], "s1", 2, 0) != 2 || send(sp[0], "seq2", 4, 0) != 4) FAIL("seqpacket send: %s", strerror(errno));
    if (send(served[0], "served", 6, 0) != 6) FAIL("served send: %s", strerror(errno));
    return 0;
}

static int connect_waiting(void) {
    CHECK_SYS(waiting = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_SYS(connect(waiting, (struct sockaddr *) &path_addr, sizeof path_addr));
    return 0;
}

static int setup(void) {
    CHECK_SYS(socketpair(AF_UNIX, SOCK_STREAM, 0, st));
    CHECK_SYS(socketpair(AF_UNIX, SOCK_DGRAM, 0, dg));
    CHECK_SYS(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp));
    path_addr.sun_family = AF_UNIX;
    strcpy(path_addr.sun_path, "/tmp/compat.sock");
    CHECK_SYS(listener = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_SYS(bind(listener, (struct sockaddr *) &path_addr, sizeof path_addr));
    CHECK_SYS(listen(listener, 4));
    CHECK_SYS(served[0] = socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_SYS(connect(served[0], (struct sockaddr *) &path_addr, sizeof path_addr));
    CHECK_SYS(served[1] = accept(listener, NULL, NULL));
    if (connect_waiting()) return -1;
    abstract_addr.sun_family = AF_UNIX;
    memcpy(abstract_addr.sun_path, "\0godwit-compat", 14);
    abstract_len = offsetof(struct sockaddr_un, sun_path) + 14;
    CHECK_SYS(abstract = socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_SYS(bind(abstract, (struct sockaddr *) &abstract_addr, abstract_len));
    return queue();
}

static int expect(int fd, const char *want, const char *what) {
    char b[64];
    ssize_t n = recv(fd, b, sizeof b, MSG_DONTWAIT);
    if (n != (ssize_t) strlen(want) || memcmp(b, want, n) != 0) FAIL("%s: got %zd bytes, wanted '%s'", what, n, want);
    return 0;
}

static int check(void) {
    if (expect(st[1], "stream-data", "stream")) return -1;
    if (expect(dg[1], "d1", "dgram 1") || expect(dg[1], "dgram2", "dgram 2")) return -1;
    if (expect(sp[1], "s1", "seqpacket 1") || expect(sp[1], "seq2", "seqpacket 2")) return -1;
    if (expect(served[1], "served", "accepted connection")) return -1;
    int pending;
    CHECK_SYS(pending = accept4(listener, NULL, NULL, SOCK_NONBLOCK));
    if (send(waiting, "late", 4, 0) != 4 || expect(pending, "late", "backlog connection")) return -1;
    close(pending);
    close(waiting);
    if (connect_waiting()) return -1;
    int lone;
    CHECK_SYS(lone = socket(AF_UNIX, SOCK_DGRAM, 0));
    ssize_t n = sendto(lone, "abs", 3, 0, (struct sockaddr *) &abstract_addr, abstract_len);
    close(lone);
    if (n != 3) FAIL("send to the abstract name: %s", strerror(errno));
    if (expect(abstract, "abs", "abstract datagram")) return -1;
    return queue();
}

int main(void) { return compat_run("unix-sockets", setup, check); }
