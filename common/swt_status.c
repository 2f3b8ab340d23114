#include "swt_status.h"

const char *swt_status_name(int status)
{
	switch (status) {
	case SWT_OK: return "SWT_OK";
	case SWT_EINVAL: return "SWT_EINVAL";
	case SWT_EIO: return "SWT_EIO";
	case SWT_ECORRUPT: return "SWT_ECORRUPT";
	case SWT_EVERSION: return "SWT_EVERSION";
	case SWT_ENOTFOUND: return "SWT_ENOTFOUND";
	case SWT_ENOMEM: return "SWT_ENOMEM";
	case SWT_ITEROVER: return "SWT_ITEROVER";
	case SWT_ETRUNCATED: return "SWT_ETRUNCATED";
	case SWT_EEXIST: return "SWT_EEXIST";
	case SWT_ELIMIT: return "SWT_ELIMIT";
	default: return "SWT_E?";
	}
}
