/* swt_status.h — the one error convention of swt.
 *
 * Fallible functions return int: 0 on success or a negative enum swt_status.
 * Values are explicit and never renumbered. Details (file, offset, what was
 * being done) live in the context object's errmsg, never in a global. */
#ifndef SWT_STATUS_H
#define SWT_STATUS_H

enum swt_status {
	SWT_OK = 0,
	SWT_EINVAL = -1,	/* bad argument or option value */
	SWT_EIO = -2,		/* system call failed (errno captured in msg) */
	SWT_ECORRUPT = -3,	/* input bytes are not what the format says */
	SWT_EVERSION = -4,	/* unsupported format major version */
	SWT_ENOTFOUND = -5,	/* no such item (file, pid, key) */
	SWT_ENOMEM = -6,	/* allocation failed (client library only) */
	SWT_ITEROVER = -7,	/* iteration finished: not an error */
	SWT_ETRUNCATED = -8,	/* input ends before it should */
	SWT_EEXIST = -9,	/* refusing to overwrite */
	SWT_ELIMIT = -10,	/* a documented bound was exceeded */
};

/* Short constant name of a status ("SWT_ECORRUPT"); never NULL. */
const char *swt_status_name(int status);

/* Propagate a negative status: `SWT_TRY(err = f());` jumps to `out`. */
#define SWT_TRY(expr)                  \
	do {                           \
		if ((expr) < 0)        \
			goto out;      \
	} while (0)

#endif
