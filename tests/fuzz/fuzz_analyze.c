/* fuzz_analyze.c — libFuzzer target over the whole analysis: a session
 * file read by the reader, fed to the engine, and every report rendered
 * in every format, as swanalyze does.
 *
 * The input is a .swt file. Where fuzz_reader checks the reader, this one
 * reaches what a file whose chunks decode fine can still do to the engine
 * and the report model (absurd times, ticks, values; records in odd
 * orders). Besides the sanitizers it checks that swt_analysis_run()
 * returns only documented statuses and that a result exists whenever it
 * returns 0. Start it from real sessions (fixtures/NAME/session.swt) and the
 * mutations of bench/mutate. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "swt_analysis.h"
#include "swt_buf.h"
#include "swt_reader.h"
#include "swt_report.h"
#include "swt_status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swt_reader *r = NULL;
	struct swt_analysis *a = NULL;
	struct swt_report_input in;
	struct swt_buf b = SWT_BUF_INIT;
	char msg[256];
	int err, k, f;

	err = swt_reader_open_mem(&r, data, size, "fuzz.swt", 0, msg,
				  sizeof(msg));
	if (err) {
		CHECK(r == NULL);
		return 0;
	}
	err = swt_analysis_run(&a, r, NULL, msg, sizeof(msg));
	CHECK(err == 0 || err == SWT_ECORRUPT || err == SWT_ETRUNCATED ||
	      err == SWT_EINVAL || err == SWT_EIO);
	if (err == 0) {
		CHECK(a != NULL && a->result != NULL);
		memset(&in, 0, sizeof(in));
		in.result = a->result;
		in.n_lost = a->n_lost;
		in.lost = a->lost;
		in.truncated = a->truncated;
		for (k = SWT_REPORT_LIGHTWEIGHT; k <= SWT_REPORT_WEIGHT; k++)
			for (f = SWT_FORMAT_TEXT; f <= SWT_FORMAT_HTML;
			     f++) {
				swt_buf_clear(&b);
				swt_report_write(&b, &in,
						 (enum swt_report_kind)k,
						 (enum swt_report_format)f);
			}
		swt_report_warnings(&b, "fuzz", &in);
	}
	swt_buf_fini(&b);
	swt_analysis_free(a);
	swt_reader_free(r);
	return 0;
}
