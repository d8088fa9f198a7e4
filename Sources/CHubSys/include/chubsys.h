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
#endif
