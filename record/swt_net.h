/* swt_net.h — network of the recorded processes: TCP bytes per process
 * from the kernel's socket table (NETLINK_SOCK_DIAG: tcp_info
 * bytes_acked, bytes_received), joined to the processes through the
 * socket inodes of /proc/PID/fd; the sockets each holds by kind; and the
 * machine's interfaces (/proc/net/dev).
 *
 * Unprivileged: the socket table and a process's own /proc/PID/fd are
 * readable without root (another user's fd directory is not: its network
 * is unavailable, not 0). As root the TCP destroy multicast group also
 * gives the final bytes of sockets that closed between two reads.
 *
 * A socket counts for one process: the first that was seen holding it
 * (a socket shared after fork is not counted twice); when that process
 * goes, the next holder carries it on from the bytes counted so far.
 * Each process's counters are cumulative: the bytes of the sockets it
 * owned, since it was first read (a process started in the session
 * counts its sockets from 0; the first reading of an older process is a
 * base), those of its closed sockets included. docs/format.md (Sample
 * net_*), docs/analysis.md § 2.6. */
#ifndef SWT_NET_H
#define SWT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_record.h"

struct swt_net;

/* What the network of one process is, kept by the caller (zeroed at the
 * start) and passed to every call about that process. */
struct swt_net_proc {
	int64_t tx, rx;		/* cumulative bytes */
	int64_t tcp, udp, other;	/* sockets open at the last read */
	bool read_once;		/* a reading was taken */
	bool unavailable;	/* its fd directory could not be read */
	/* its socket inodes at the last scan of its descriptors, and its
	 * CPU time then */
	uint64_t *inodes;
	size_t n_inodes, cap_inodes;
	int64_t scan_cpu;
};

/* Open the socket-table reader. destroy_events: also listen to the TCP
 * destroy groups (needs CAP_NET_ADMIN; silently without them otherwise).
 * 0 or SWT_EIO (no NETLINK_SOCK_DIAG): the message says why. */
int swt_net_open(struct swt_net **out, bool destroy_events, char *errmsg,
		 size_t errlen);

/* Read the machine's TCP and UDP sockets (and the destroy events since
 * the last call). Call once per round, before swt_net_read_proc().
 * 0 or SWT_EIO. */
int swt_net_refresh(struct swt_net *n);

/* Read process pid's sockets into *p. born: the process started during
 * the session (its sockets count from 0 at its first reading). cpu: its
 * CPU time, exact enough that any system call moves it (ns of
 * /proc/PID/schedstat; clock ticks are not), read this tick (the process
 * was there then), or -1: a process whose CPU time has not moved since
 * the last scan of its descriptors is not scanned again (it opened
 * nothing; the bytes of its sockets are read all the same). Returns 1
 * if read, 0 if its fd directory is unreadable or gone (p->unavailable
 * says which: EACCES/EPERM). */
int swt_net_read_proc(struct swt_net *n, int32_t pid, bool born,
		      int64_t cpu, struct swt_net_proc *p);

/* Free what *p holds. */
void swt_net_proc_fini(struct swt_net_proc *p);

/* The caller's own descriptors that are no sockets, by number: kept(fd,
 * payload) says whether fd is one (swrec's kept /proc files: thousands
 * with -a, where swrec records itself). swt_net_read_proc() of the
 * calling process then looks at the others alone, up to the size of its
 * descriptor table, instead of listing /proc/self/fd. NULL: list it. */
void swt_net_own_fds(struct swt_net *n, bool (*kept)(int fd, void *payload),
		     void *payload);

/* Once per tick, first: take the destroy events that came (as root): the
 * last bytes of sockets that closed, for their owners. Cheap
 * (non-blocking); swt_net_refresh() does it too. A process read between
 * rounds that holds a socket newer than the table has it read again, at
 * most once per tick. */
void swt_net_take_events(struct swt_net *n);

/* Process pid has exited: add the last bytes of the sockets it held
 * since its last reading to *p (those still closing asked for once more,
 * those destroyed from the destroy events taken so far). Returns whether
 * *p holds counters (it was read at least once). */
bool swt_net_final(struct swt_net *n, int32_t pid, struct swt_net_proc *p);

/* The sockets of pid are no longer its: they go to the next holder. */
void swt_net_release(struct swt_net *n, int32_t pid);

/* End of a round: forget the sockets that have gone. */
void swt_net_end_round(struct swt_net *n);

/* The machine's interfaces (/proc/net/dev), valid until the next call.
 * 0 or SWT_EIO. */
int swt_net_devs(struct swt_net *n, const struct swt_netdev **out,
		 size_t *n_out);

/* Counts for tests and swrec's statistics. */
struct swt_net_stats {
	uint64_t rounds;
	uint64_t dumps;		/* tables read (rounds, and new sockets of
				 * processes met between rounds) */
	uint64_t queries;	/* sockets asked for alone */
	uint64_t tcp_sockets;	/* TCP sockets of the tree, last round */
	uint64_t destroyed;	/* destroy events taken */
	uint64_t fd_scans;	/* /proc/PID/fd listings */
	bool destroy_events;	/* the destroy groups are joined */
};
void swt_net_get_stats(const struct swt_net *n, struct swt_net_stats *out);

void swt_net_free(struct swt_net *n);

#endif
