/* swtrace.h must compile as strict C99 (built with -std=c99 -pedantic
 * -Werror) and work: outside a recorder every call is a no-op. */
#include <swtrace.h>

/* Globals with the everyday names a header's inline code could shadow
 * (built with -Wshadow -Werror). */
const char *module = "m", *counter = "c", *name = "n";
int64_t delta = 1;

static int work(int n)
{
	SWT_MODULE_SCOPE("c99_scope");
	SWT_MODULE_SCOPE("c99_inner");	/* two in one scope: unique names */
	return n + 1;
}

int main(void)
{
	int i, s = 0;

	for (i = 0; i < 10; i++) {
		swt_module_begin("c99_module");
		swt_count("c99_counter", (int64_t)i);
		swt_mark("c99_mark");
		swt_count(counter, delta);
		swt_mark(name);
		swt_module_begin(module);
		swt_module_end(module);
		swt_module_end("c99_module");
		s = work(s);
	}
	if (swt_trace_enabled() || swt_trace_flush() != SWT_TRACE_ENOTFOUND ||
	    swt_trace_dropped() != 0 || !swt_trace_version()[0] || s != 10)
		return 1;
	return 0;
}
