// swt.h must compile as C++ (-pedantic -Werror -Wshadow), also beside
// swtrace.h, and work: a missing file is SWT_ENOTFOUND.
#include <swt.h>
#include <swtrace.h>

#include <cstring>

const char *kind = "k", *name = "n", *path = "p", *text = "t";

int main()
{
	struct swt_settings *s = nullptr;
	struct swt_report *r = nullptr;
	char msg[256];

	if (std::strcmp(swt_version(), SWT_VERSION_STRING) != 0 ||
	    swt_settings_new(&s) != SWT_OK ||
	    swt_settings_set(s, "cpu_percent=50") != SWT_OK)
		return 1;
	int rc = swt_report_open(&r, "/nonexistent.swt", s, msg, sizeof(msg));
	swt_settings_free(s);
	swt_report_free(r);
	SWT_MODULE_SCOPE("header_cpp");
	return rc == SWT_ENOTFOUND && r == nullptr && msg[0] ? 0 : 1;
}
