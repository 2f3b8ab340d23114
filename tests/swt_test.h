/* swt_test.h — domain asserts and sandbox helpers for the cmocka tests.
 *
 * Include after <cmocka.h>'s prerequisites (this header includes them
 * itself). Every assert reports the caller's __FILE__/__LINE__, names the
 * field that differs and prints status codes by name, so a failure reads
 * "kind mismatch: expected SWT_ECORRUPT, got SWT_ETRUNCATED (expr)".
 *
 * Strings: the codec hands out "" for an absent string, so NULL and "" are
 * treated as equal everywhere below. */
#ifndef SWT_TEST_H
#define SWT_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "swt_record.h"
#include "swt_status.h"

/* ---- status asserts ---------------------------------------------------- */

static inline void swt_test_status(int expected, int actual,
				   const char *expr, const char *file,
				   int line)
{
	if (expected == actual)
		return;
	print_error("%s: expected %s (%d), got %s (%d)\n", expr,
		    swt_status_name(expected), expected,
		    swt_status_name(actual), actual);
	_fail(file, line);
}

/* assert_status(SWT_ECORRUPT, swt_reader_open(...)) */
#define assert_status(expected, expr) \
	swt_test_status((expected), (expr), #expr, __FILE__, __LINE__)
#define assert_ok(expr) assert_status(SWT_OK, (expr))

/* Either of two statuses (only where the contract really allows both). */
static inline void swt_test_status2(int a, int b, int actual,
				    const char *expr, const char *file,
				    int line)
{
	if (actual == a || actual == b)
		return;
	print_error("%s: expected %s or %s, got %s (%d)\n", expr,
		    swt_status_name(a), swt_status_name(b),
		    swt_status_name(actual), actual);
	_fail(file, line);
}

#define assert_status_either(a, b, expr) \
	swt_test_status2((a), (b), (expr), #expr, __FILE__, __LINE__)

/* haystack contains needle (messages are checked by substring only). */
static inline void swt_test_contains(const char *haystack,
				     const char *needle, const char *file,
				     int line)
{
	if (haystack && needle && strstr(haystack, needle))
		return;
	print_error("\"%s\" does not contain \"%s\"\n",
		    haystack ? haystack : "(null)", needle ? needle : "(null)");
	_fail(file, line);
}

#define assert_contains(haystack, needle) \
	swt_test_contains((haystack), (needle), __FILE__, __LINE__)

/* ---- record asserts ---------------------------------------------------- */

/* Field comparison helpers; `what` names the field in the failure. */
static inline void swt_test_i64(int64_t e, int64_t a, const char *what,
				const char *file, int line)
{
	if (e == a)
		return;
	print_error("%s: expected %" PRId64 ", got %" PRId64 "\n", what, e,
		    a);
	_fail(file, line);
}

static inline void swt_test_u64(uint64_t e, uint64_t a, const char *what,
				const char *file, int line)
{
	if (e == a)
		return;
	print_error("%s: expected %" PRIu64 ", got %" PRIu64 "\n", what, e,
		    a);
	_fail(file, line);
}

static inline void swt_test_str(const char *e, const char *a,
				const char *what, const char *file, int line)
{
	if (!e)
		e = "";
	if (!a)
		a = "";
	if (strcmp(e, a) == 0)
		return;
	print_error("%s: expected \"%s\", got \"%s\"\n", what, e, a);
	_fail(file, line);
}

static inline void swt_test_bytes(const char *e, size_t elen, const char *a,
				  size_t alen, const char *what,
				  const char *file, int line)
{
	if (elen == alen && (elen == 0 || memcmp(e, a, elen) == 0))
		return;
	print_error("%s: expected %zu bytes, got %zu bytes (or content "
		    "differs)\n", what, elen, alen);
	_fail(file, line);
}

#define SWT_EQ_I(field) swt_test_i64((int64_t)(e->field), \
	(int64_t)(a->field), #field, file, line)
#define SWT_EQ_U(field) swt_test_u64((uint64_t)(e->field), \
	(uint64_t)(a->field), #field, file, line)
#define SWT_EQ_S(field) swt_test_str(e->field, a->field, #field, file, line)

/* Header fields the caller chose (format_* and zstd_version are the
 * writer's and are checked separately). */
static inline void swt_test_header(const struct swt_header *e,
				   const struct swt_header *a,
				   const char *file, int line)
{
	size_t i;

	SWT_EQ_S(recorder);
	SWT_EQ_S(kernel);
	SWT_EQ_U(clock_ticks);
	SWT_EQ_U(page_size);
	SWT_EQ_U(cpu_count);
	SWT_EQ_U(mem_total_kib);
	SWT_EQ_I(interval_ns);
	SWT_EQ_I(flush_interval_ns);
	SWT_EQ_I(start_mono_ns);
	SWT_EQ_I(start_wall_ns);
	SWT_EQ_I(mode);
	SWT_EQ_U(n_command);
	for (i = 0; i < e->n_command; i++)
		SWT_EQ_S(command[i]);
	SWT_EQ_U(n_attach_pids);
	for (i = 0; i < e->n_attach_pids; i++)
		SWT_EQ_I(attach_pids[i]);
	SWT_EQ_U(boot_time_s);
	SWT_EQ_I(threads);
}

#define assert_header_equal(e, a) swt_test_header((e), (a), __FILE__, __LINE__)

static inline void swt_test_event(const struct swt_event *e,
				  const struct swt_event *a, const char *file,
				  int line)
{
	SWT_EQ_I(t_ns);
	SWT_EQ_I(kind);
	SWT_EQ_I(tid);
	SWT_EQ_S(name);
	SWT_EQ_I(value);
}

#define assert_event_equal(e, a) swt_test_event((e), (a), __FILE__, __LINE__)

static inline void swt_test_proc_row(const struct swt_proc_row *e,
				     const struct swt_proc_row *a,
				     const char *file, int line)
{
	SWT_EQ_I(pid);
	SWT_EQ_U(flags);
	SWT_EQ_I(utime);
	SWT_EQ_I(stime);
	SWT_EQ_I(rss_kib);
	SWT_EQ_I(vsz_kib);
	SWT_EQ_I(nthreads);
	SWT_EQ_I(minflt);
	SWT_EQ_I(majflt);
	SWT_EQ_I(io_read);
	SWT_EQ_I(io_write);
	SWT_EQ_I(vctxsw);
	SWT_EQ_I(ivctxsw);
}

static inline void swt_test_thread_row(const struct swt_thread_row *e,
				       const struct swt_thread_row *a,
				       const char *file, int line)
{
	SWT_EQ_I(tid);
	SWT_EQ_I(tgid);
	SWT_EQ_S(name);
	SWT_EQ_I(utime);
	SWT_EQ_I(stime);
}

static inline void swt_test_record(const struct swt_record *e,
				   const struct swt_record *a,
				   const char *file, int line)
{
	size_t i;

	if (!a) {
		print_error("record is NULL\n");
		_fail(file, line);
		return;
	}
	if (e->kind != a->kind) {
		print_error("kind: expected %s (%d), got %s (%d) at t=%" PRId64
			    "\n", swt_record_kind_name(e->kind), (int)e->kind,
			    swt_record_kind_name(a->kind), (int)a->kind,
			    a->t_ns);
		_fail(file, line);
	}
	if (e->kind != SWT_REC_HEADER)
		SWT_EQ_I(t_ns);
	switch (e->kind) {
	case SWT_REC_HEADER:
		swt_test_header(&e->u.header, &a->u.header, file, line);
		break;
	case SWT_REC_PROC_START:
		SWT_EQ_I(u.proc_start.pid);
		SWT_EQ_I(u.proc_start.ppid);
		SWT_EQ_U(u.proc_start.start_ticks);
		SWT_EQ_S(u.proc_start.comm);
		swt_test_bytes(e->u.proc_start.cmdline,
			       e->u.proc_start.cmdline_len,
			       a->u.proc_start.cmdline,
			       a->u.proc_start.cmdline_len, "cmdline", file,
			       line);
		SWT_EQ_U(u.proc_start.uid);
		SWT_EQ_I(u.proc_start.preexisting);
		break;
	case SWT_REC_PROC_EXIT:
		SWT_EQ_I(u.proc_exit.pid);
		SWT_EQ_U(u.proc_exit.start_ticks);
		SWT_EQ_I(u.proc_exit.has_status);
		SWT_EQ_I(u.proc_exit.exit_code);
		SWT_EQ_I(u.proc_exit.signal);
		SWT_EQ_I(u.proc_exit.core_dumped);
		SWT_EQ_I(u.proc_exit.has_final);
		SWT_EQ_I(u.proc_exit.utime);
		SWT_EQ_I(u.proc_exit.stime);
		SWT_EQ_I(u.proc_exit.cutime);
		SWT_EQ_I(u.proc_exit.cstime);
		SWT_EQ_I(u.proc_exit.has_acct);
		SWT_EQ_U(u.proc_exit.hiwater_rss_kib);
		SWT_EQ_U(u.proc_exit.read_bytes);
		SWT_EQ_U(u.proc_exit.write_bytes);
		SWT_EQ_U(u.proc_exit.nvcsw);
		SWT_EQ_U(u.proc_exit.nivcsw);
		SWT_EQ_U(u.proc_exit.utime_us);
		SWT_EQ_U(u.proc_exit.stime_us);
		SWT_EQ_I(u.proc_exit.has_final_io);
		SWT_EQ_U(u.proc_exit.final_read_bytes);
		SWT_EQ_U(u.proc_exit.final_write_bytes);
		SWT_EQ_I(u.proc_exit.has_final_net);
		SWT_EQ_U(u.proc_exit.final_net_tx);
		SWT_EQ_U(u.proc_exit.final_net_rx);
		SWT_EQ_U(u.proc_exit.n_threads);
		for (i = 0; i < e->u.proc_exit.n_threads &&
			    i < a->u.proc_exit.n_threads;
		     i++) {
			SWT_EQ_I(u.proc_exit.threads[i].tid);
			SWT_EQ_S(u.proc_exit.threads[i].name);
			SWT_EQ_U(u.proc_exit.threads[i].utime_us);
			SWT_EQ_U(u.proc_exit.threads[i].stime_us);
		}
		break;
	case SWT_REC_SAMPLE:
		SWT_EQ_I(u.sample.scheduled_ns);
		SWT_EQ_U(u.sample.recorder_cpu_ns);
		SWT_EQ_U(u.sample.recorder_rss_kib);
		SWT_EQ_U(u.sample.sys_busy_ticks);
		SWT_EQ_U(u.sample.sys_idle_ticks);
		SWT_EQ_U(u.sample.mem_total_kib);
		SWT_EQ_U(u.sample.mem_available_kib);
		SWT_EQ_U(u.sample.has_pressure);
		SWT_EQ_U(u.sample.pressure_us[0]);
		SWT_EQ_U(u.sample.pressure_us[1]);
		SWT_EQ_U(u.sample.pressure_us[2]);
		SWT_EQ_U(u.sample.pressure_us[3]);
		SWT_EQ_U(u.sample.pressure_us[4]);
		SWT_EQ_U(u.sample.pressure_us[5]);
		SWT_EQ_U(u.sample.steal_ticks);
		SWT_EQ_U(u.sample.n_procs);
		for (i = 0; i < e->u.sample.n_procs; i++)
			swt_test_proc_row(&e->u.sample.procs[i],
					  &a->u.sample.procs[i], file, line);
		SWT_EQ_U(u.sample.n_threads);
		for (i = 0; i < e->u.sample.n_threads; i++)
			swt_test_thread_row(&e->u.sample.threads[i],
					    &a->u.sample.threads[i], file,
					    line);
		break;
	case SWT_REC_EVENTS:
		SWT_EQ_I(u.events.pid);
		SWT_EQ_U(u.events.n);
		for (i = 0; i < e->u.events.n; i++)
			swt_test_event(&e->u.events.events[i],
				       &a->u.events.events[i], file, line);
		break;
	case SWT_REC_ALERT:
		SWT_EQ_S(u.alert.kind);
		SWT_EQ_S(u.alert.subject);
		SWT_EQ_I(u.alert.value_milli);
		SWT_EQ_I(u.alert.threshold_milli);
		break;
	case SWT_REC_DROPS:
		SWT_EQ_I(u.drops.pid);
		SWT_EQ_U(u.drops.dropped);
		SWT_EQ_U(u.drops.total_dropped);
		SWT_EQ_S(u.drops.reason);
		break;
	case SWT_REC_ANOMALY:
		SWT_EQ_S(u.anomaly.kind);
		SWT_EQ_I(u.anomaly.pid);
		SWT_EQ_I(u.anomaly.tid);
		SWT_EQ_S(u.anomaly.subject);
		swt_test_bytes(e->u.anomaly.detail, e->u.anomaly.detail_len,
			       a->u.anomaly.detail, a->u.anomaly.detail_len,
			       "anomaly.detail", file, line);
		break;
	case SWT_REC_END:
		SWT_EQ_I(u.end.reason);
		SWT_EQ_I(u.end.has_status);
		SWT_EQ_I(u.end.exit_code);
		SWT_EQ_I(u.end.signal);
		SWT_EQ_U(u.end.samples);
		SWT_EQ_U(u.end.records);
		SWT_EQ_U(u.end.events);
		SWT_EQ_U(u.end.dropped_events);
		SWT_EQ_U(u.end.recorder_cpu_ns);
		SWT_EQ_U(u.end.recorder_peak_rss_kib);
		SWT_EQ_S(u.end.error);
		SWT_EQ_U(u.end.missed_samples);
		SWT_EQ_U(u.end.late_events);
		SWT_EQ_I(u.end.exit_acct);
		SWT_EQ_U(u.end.exit_acct_overflows);
		SWT_EQ_I(u.end.proc_events);
		SWT_EQ_U(u.end.proc_events_overflows);
		SWT_EQ_U(u.end.exits_dropped);
		SWT_EQ_U(u.end.exits_unmatched);
		SWT_EQ_U(u.end.cmdlines_skipped);
		SWT_EQ_U(u.end.exit_acct_cpu_ns);
		SWT_EQ_U(u.end.exit_write_cpu_ns);
		SWT_EQ_U(u.end.recorder_wait_ns);
		SWT_EQ_U(u.end.proc_read_cpu_ns);
		SWT_EQ_U(u.end.proc_reads);
		SWT_EQ_U(u.end.proc_scans);
		SWT_EQ_U(u.end.proc_scans_skipped);
		SWT_EQ_U(u.end.proc_first_read_cpu_ns);
		SWT_EQ_U(u.end.proc_first_reads);
		SWT_EQ_U(u.end.sampled_write_cpu_ns);
		SWT_EQ_U(u.end.sampled_records);
		break;
	}
}

/* Every field of the kind, t_ns too (except for the header record). */
#define assert_record_equal(e, a) \
	swt_test_record((e), (a), __FILE__, __LINE__)

#undef SWT_EQ_I
#undef SWT_EQ_U
#undef SWT_EQ_S

/* ---- sandbox ----------------------------------------------------------- */

/* A fresh directory under $TMPDIR (or /tmp); the path goes in buf. */
static inline void swt_test_mkdtemp(char *buf, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(buf, len, "%s/swt-test-XXXXXX", tmp);
	if (!mkdtemp(buf)) {
		print_error("mkdtemp(%s): %s\n", buf, strerror(errno));
		fail();
	}
}

static inline int swt_test_rm_cb(const char *path, const struct stat *st,
				 int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* rm -rf dir (restoring permissions a test may have removed). */
static inline void swt_test_rmtree(const char *dir)
{
	chmod(dir, 0700);
	nftw(dir, swt_test_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* Join dir and name into buf. */
static inline const char *swt_test_path(char *buf, size_t len,
					const char *dir, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

/* A test's own directory, with the path of its session file in it (for
 * cmocka_unit_test_setup_teardown: *state). */
struct swt_sandbox {
	char dir[256];
	char out[512];		/* dir/out.swt */
};

static inline int swt_sandbox_setup(void **state)
{
	struct swt_sandbox *sb = calloc(1, sizeof(*sb));

	assert_non_null(sb);
	swt_test_mkdtemp(sb->dir, sizeof(sb->dir));
	swt_test_path(sb->out, sizeof(sb->out), sb->dir, "out.swt");
	*state = sb;
	return 0;
}

/* Kill the process groups a (maybe failed) test started, reap them and
 * the orphans re-parented to us (a subreaper), remove the directory. */
static inline void swt_sandbox_free(struct swt_sandbox *sb, pid_t *groups,
				    size_t *n_groups)
{
	size_t i;

	for (i = 0; i < *n_groups; i++) {
		kill(-groups[i], SIGKILL);
		while (waitpid(-groups[i], NULL, WNOHANG) > 0)
			;
	}
	*n_groups = 0;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	swt_test_rmtree(sb->dir);
	free(sb);
}

/* Whole file into a malloc'd buffer (*len bytes, followed by a NUL so
 * that a text file is a string); fails the test on error. */
static inline unsigned char *swt_test_read_file(const char *path,
						size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = NULL;
	long n;

	if (!f) {
		print_error("fopen(%s): %s\n", path, strerror(errno));
		fail();
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc(n > 0 ? (size_t)n + 1 : 1);
	assert_non_null(p);
	p[n > 0 ? n : 0] = '\0';
	if (n > 0 && fread(p, 1, (size_t)n, f) != (size_t)n) {
		print_error("fread(%s) failed\n", path);
		fail();
	}
	fclose(f);
	*len = (size_t)n;
	return p;
}

static inline void swt_test_write_file(const char *path, const void *data,
				       size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f) {
		print_error("fopen(%s): %s\n", path, strerror(errno));
		fail();
	}
	if (len && fwrite(data, 1, len, f) != len) {
		print_error("fwrite(%s) failed\n", path);
		fail();
	}
	assert_int_equal(fclose(f), 0);
}

#endif
