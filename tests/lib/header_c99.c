/* swt.h must compile as strict C99 (built with -std=c99 -pedantic -Werror
 * -Wshadow), also beside swtrace.h (a program that is instrumented and
 * reads its own sessions), and work: a missing file is SWT_ENOTFOUND. */
#include <swt.h>
#include <swtrace.h>

#include <string.h>

/* Globals with the everyday names a header could shadow. */
const char *kind = "k", *name = "n", *path = "p", *text = "t";
int status = 0;

int main(void)
{
	struct swt_settings *s = NULL;
	struct swt_report *r = NULL;
	char msg[256];

	if (strcmp(swt_version(), SWT_VERSION_STRING) != 0 ||
	    swt_settings_new(&s) != SWT_OK ||
	    swt_settings_set(s, "cpu_percent=50") != SWT_OK)
		return 1;
	status = swt_report_open(&r, "/nonexistent.swt", s, msg, sizeof(msg));
	swt_settings_free(s);
	swt_report_free(r);
	swt_mark("header_c99");
	return status == SWT_ENOTFOUND && r == NULL && msg[0] ? 0 : 1;
}
