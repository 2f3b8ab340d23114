/* fuzz_config.c — libFuzzer target over the threshold configuration
 * parser: the input is a config file's text (swt_thresholds_load()), then
 * the same text taken as one --threshold KEY=VALUE assignment, then every
 * line as one. Besides the sanitizers it checks the documented statuses
 * and that a failed load leaves the thresholds usable. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "swt_status.h"
#include "swt_thresholds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swt_thresholds th;
	char msg[256], *text, *line, *save = NULL;
	const char *pattern = NULL;
	int err;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	swt_thresholds_init(&th);
	err = swt_thresholds_load(&th, text, size, "fuzz.conf", msg,
				  sizeof(msg));
	CHECK(err == 0 || err == SWT_EINVAL);
	(void)swt_thresholds_rate(&th, "ocr_call");
	(void)swt_thresholds_heavy_match(&th, "ocr_processor", &pattern);
	err = swt_thresholds_set_assignment(&th, text, SWT_TH_OPTION, msg,
					    sizeof(msg));
	CHECK(err == 0 || err == SWT_EINVAL);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		err = swt_thresholds_set_assignment(&th, line, SWT_TH_OPTION,
						    msg, sizeof(msg));
		CHECK(err == 0 || err == SWT_EINVAL);
	}
	(void)swt_thresholds_heavy_match(&th, "image_decoder", &pattern);
	swt_thresholds_fini(&th);
	free(text);
	return 0;
}
