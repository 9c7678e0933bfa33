/* Compatibility program: message queues: a SysV queue (key 0x3e55) holding three typed messages
 * and a POSIX queue (/compat-mq, at most 7 messages of 64 bytes) holding two with priorities.
 * The check receives them in order and sends them again. */
#include "compat.h"
#include <fcntl.h>
#include <mqueue.h>
#include <sys/ipc.h>
#include <sys/msg.h>

struct msg { long type; char text[32]; };
static int msqid;
static mqd_t mq;

static int fill(void) {
    for (long t = 1; t <= 3; t++) {
        struct msg m = { t, "" };
        snprintf(m.text, sizeof m.text, "sysv-%ld", t);
        CHECK_SYS(msgsnd(msqid, &m, sizeof m.text, IPC_NOWAIT));
    }
    CHECK_SYS(mq_send(mq, "low", 3, 1));
    CHECK_SYS(mq_send(mq, "high", 4, 5));
    return 0;
}

static int setup(void) {
    CHECK_SYS(msqid = msgget(0x3e55, IPC_CREAT | IPC_EXCL | 0600));
    struct mq_attr a = { .mq_maxmsg = 7, .mq_msgsize = 64 };
    mq = mq_open("/compat-mq", O_CREAT | O_EXCL | O_RDWR | O_NONBLOCK, 0600, &a);
    if (mq == (mqd_t) -1) FAIL("mq_open: %s", strerror(errno));
    return fill();
}

static int check(void) {
    for (long t = 1; t <= 3; t++) {
        struct msg m;
        char want[32];
        snprintf(want, sizeof want, "sysv-%ld", t);
        if (msgrcv(msqid, &m, sizeof m.text, 0, IPC_NOWAIT) < 0) FAIL("SysV message %ld: %s", t, strerror(errno));
        if (m.type != t || strcmp(m.text, want) != 0) FAIL("SysV message %ld is type %ld '%s'", t, m.type, m.text);
    }
    struct mq_attr a;
    CHECK_SYS(mq_getattr(mq, &a));
    if (a.mq_maxmsg != 7 || a.mq_msgsize != 64 || a.mq_curmsgs != 2)
        FAIL("POSIX queue attrs %ld/%ld/%ld, not 7/64/2", a.mq_maxmsg, a.mq_msgsize, a.mq_curmsgs);
    char b[64];
    unsigned prio;
    ssize_t n = mq_receive(mq, b, sizeof b, &prio);
    if (n != 4 || prio != 5 || memcmp(b, "high", 4)) FAIL("first POSIX message: %zd bytes, priority %u", n, prio);
    n = mq_receive(mq, b, sizeof b, &prio);
    if (n != 3 || prio != 1 || memcmp(b, "low", 3)) FAIL("second POSIX message: %zd bytes, priority %u", n, prio);
    return fill();
}

int main(void) { return compat_run("msgqueues", setup, check); }
