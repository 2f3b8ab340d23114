/* swt_nlbatch.h — a batch of netlink datagrams in one recvmmsg() (the
 * exit records, the process events): on a virtual machine a system call
 * costs more than a small datagram's copy. */
#ifndef SWT_NLBATCH_H
#define SWT_NLBATCH_H

#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* Receive up to n datagrams of fd without blocking, datagram i into
 * bufs + i * size (at most size bytes; MSG_TRUNC in its flags if it was
 * longer). mm and iov hold n entries. Returns recvmmsg()'s result: the
 * number received, or -1 with errno (EAGAIN: none waits; ENOBUFS: the
 * socket overflowed and datagrams were lost). */
static inline int swt_nl_recv_batch(int fd, char *bufs, size_t size,
				    unsigned n, struct mmsghdr *mm,
				    struct iovec *iov)
{
	unsigned i;

	memset(mm, 0, n * sizeof(*mm));
	for (i = 0; i < n; i++) {
		iov[i].iov_base = bufs + (size_t)i * size;
		iov[i].iov_len = size;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	return recvmmsg(fd, mm, n, MSG_DONTWAIT, NULL);
}

#endif
