/* Test program: a TCP echo server on the given port (default 7777), one client at a time,
 * so a test can hold a connection open across a checkpoint and restore. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 7777;
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY) };
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 8) < 0) { perror("listen"); return 1; }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("listening %d\n", port);
    for (;;) {
        int c = accept(ls, NULL, NULL);
        if (c < 0) continue;
        char buf[4096];
        ssize_t n;
        while ((n = read(c, buf, sizeof buf)) > 0) {
            if (write(c, buf, n) != n) break;
        }
        close(c);
    }
}
