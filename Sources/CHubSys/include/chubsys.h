#ifndef CHUBSYS_H
#define CHUBSYS_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>

/* accept4 needs _GNU_SOURCE, which the Swift Glibc overlay does not define. */
int chubsys_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

/* Starts `path` with `argv` and `envp`, its stdin/stdout/stderr on `in_fd`/`out_fd`/`err_fd`
 * (-1: /dev/null), every other descriptor closed, SIGPIPE at its default and no signal blocked.
 * Returns the child's pid, or -errno. posix_spawn instead of Foundation's Process: its
 * Process.run() can read past a readdir buffer on Linux (swift-corelibs-foundation #5472) and
 * crashed the test process when many sockets were open. */
int chubsys_spawn(const char *path, char *const argv[], char *const envp[], int in_fd, int out_fd, int err_fd);
#endif
