/* swt-test-alter — copy a session, adding 1.0 to the value of every Alert
 * record: the altered file that swreplay --verify must refuse
 * (tests/analyze/test-live.sh).
 *
 *   swt-test-alter IN OUT */
#include <stdio.h>
#include <string.h>

#include "swt_reader.h"
#include "swt_status.h"
#include "swt_writer.h"

int main(int argc, char **argv)
{
	struct swt_reader *r = NULL;
	struct swt_writer *w = NULL;
	struct swt_writer_opts wo;
	const struct swt_record *rec;
	char msg[512];
	int err, finished = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: swt-test-alter IN OUT\n");
		return 2;
	}
	if (swt_reader_open(&r, argv[1], 0, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "swt-test-alter: %s\n", msg);
		return 1;
	}
	swt_writer_opts_init(&wo);
	wo.sync = false;
	wo.force = true;
	while ((err = swt_reader_next(r, &rec)) == 0) {
		struct swt_record copy = *rec;

		if (rec->kind == SWT_REC_HEADER) {
			if (swt_writer_open(&w, argv[2], &wo, &rec->u.header,
					    msg, sizeof(msg)) < 0)
				goto fail;
			continue;
		}
		if (rec->kind == SWT_REC_END) {
			if (swt_writer_finish(w, &rec->u.end, rec->t_ns) < 0)
				goto fail_w;
			finished = 1;
			continue;
		}
		if (rec->kind == SWT_REC_ALERT)
			copy.u.alert.value_milli += 1000;
		if (swt_writer_append(w, &copy) < 0)
			goto fail_w;
	}
	if (!finished && swt_writer_flush(w) < 0)
		goto fail_w;
	swt_writer_free(w);
	swt_reader_free(r);
	return 0;
fail_w:
	snprintf(msg, sizeof(msg), "%s", swt_writer_errmsg(w));
fail:
	fprintf(stderr, "swt-test-alter: %s\n", msg);
	swt_writer_free(w);
	swt_reader_free(r);
	return 1;
}
