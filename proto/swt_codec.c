#include "swt_record.h"

#include <string.h>

const char *swt_record_kind_name(enum swt_record_kind kind)
{
	switch (kind) {
	case SWT_REC_HEADER: return "header";
	case SWT_REC_PROC_START: return "proc_start";
	case SWT_REC_PROC_EXIT: return "proc_exit";
	case SWT_REC_SAMPLE: return "sample";
	case SWT_REC_EVENTS: return "events";
	case SWT_REC_ALERT: return "alert";
	case SWT_REC_DROPS: return "drops";
	case SWT_REC_ANOMALY: return "anomaly";
	case SWT_REC_END: return "end";
	}
	return "unknown";
}

const char *swt_event_kind_name(enum swt_event_kind kind)
{
	switch (kind) {
	case SWT_EV_BEGIN: return "begin";
	case SWT_EV_END: return "end";
	case SWT_EV_COUNT: return "count";
	case SWT_EV_MARK: return "mark";
	case SWT_EV_RSS: return "rss";
	}
	return "unknown";
}

const char *swt_mode_name(enum swt_mode mode)
{
	switch (mode) {
	case SWT_MODE_UNSPECIFIED: return "unspecified";
	case SWT_MODE_LAUNCH: return "launch";
	case SWT_MODE_ATTACH: return "attach";
	case SWT_MODE_ALL: return "all";
	}
	return "unknown";
}

const char *swt_end_reason_name(enum swt_end_reason reason)
{
	switch (reason) {
	case SWT_END_UNSPECIFIED: return "unspecified";
	case SWT_END_EXITED: return "exited";
	case SWT_END_SIGNAL: return "signal";
	case SWT_END_DURATION: return "duration";
	case SWT_END_ERROR: return "error";
	}
	return "unknown";
}

bool swt_rows_put(void *table, size_t n, const void *rows, size_t size,
		  const uint32_t *at, size_t n_at, uint8_t *same)
{
	unsigned char *t = table;
	size_t i;

	if (same && n)
		memset(same, 1, n);
	for (i = 0; i < n_at; i++) {
		if (at[i] >= n || (i && at[i] <= at[i - 1]))
			return false;
		memcpy(t + (size_t)at[i] * size,
		       (const unsigned char *)rows + i * size, size);
		if (same)
			same[at[i]] = 0;
	}
	return true;
}
