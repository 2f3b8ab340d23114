/* The values of swt's internal enum swt_status (common/swt_status.h), in
 * the order swt.h lists its public copy: test_lib.c, which sees only
 * swt.h, compares the two. */
#include <stddef.h>

#include "swt_status.h"

extern const int swt_test_internal_status[];
extern const size_t swt_test_internal_status_n;

const int swt_test_internal_status[] = {
	SWT_OK, SWT_EINVAL, SWT_EIO, SWT_ECORRUPT, SWT_EVERSION,
	SWT_ENOTFOUND, SWT_ENOMEM, SWT_ITEROVER, SWT_ETRUNCATED,
	SWT_EEXIST, SWT_ELIMIT,
};
const size_t swt_test_internal_status_n =
	sizeof(swt_test_internal_status) / sizeof(swt_test_internal_status[0]);
