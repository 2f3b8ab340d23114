/* swt_bpfload.h — load a BPF program in a process of its own.
 *
 * libbpf reads the kernel's whole type information (some 5 MB) to fit a
 * CO-RE program to the running kernel; done in swrec's process, that peak
 * would stay in its VmHWM. Each of swrec's BPF parts (the process events,
 * swt_procev.c; the sampler's backend, swt_sampler_bpf.c) therefore loads
 * its program in a short-lived child, which hands the descriptors of its
 * maps, programs and attachments over a socket (SCM_RIGHTS) and exits:
 * what is attached stays attached as long as swrec holds them.
 *
 * Built with the BPF parts only (SWT_HAVE_BPF).
 */
#ifndef SWT_BPFLOAD_H
#define SWT_BPFLOAD_H

#include <stddef.h>
#include <stdint.h>

/* Descriptors a loader hands over at most. */
#define SWT_BPFLOAD_MAX_FDS 16

/* In the loader: libbpf's messages go nowhere (the verifier's log would
 * flood the terminal), the last warning is kept for the answer. */
void swt_bpfload_quiet(void);

/* In the loader: the answer, and exit. err: 0, or a libbpf error (a
 * negative errno; a positive one is taken as is), which the answer says
 * in words with libbpf's last warning; flags: the caller's own bits;
 * fds: what to hand over (none when err). */
void swt_bpfload_answer(int sock, int err, uint32_t flags, const int *fds,
			int n_fds) __attribute__((noreturn));

/* The loader's work: load (and attach), then swt_bpfload_answer() on
 * sock. Runs in the child; never returns. */
typedef void (*swt_bpfload_fn)(int sock, void *arg);

/* Fork a loader running fn(sock, arg) and take its answer: the
 * descriptors (fds[0..], at most max_fds; the number taken is returned),
 * its flags and the CPU it used (user + system, to add to the
 * recorder's). Fewer than min_fds, or an error: -1 and "WHO: why" in
 * errmsg (any descriptors taken are closed). */
int swt_bpfload_run(const char *who, swt_bpfload_fn fn, void *arg, int *fds,
		    int max_fds, int min_fds, uint32_t *flags,
		    int64_t *load_cpu_ns, char *errmsg, size_t errlen);

#endif
