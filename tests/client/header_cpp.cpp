// swtrace.h must compile as C++ (warnings as errors) and its RAII scope
// must work: outside a recorder every call is a no-op.
#include <swtrace.h>

#include <cstring>

// Everyday names the header's inline code must not shadow (-Wshadow).
const char *module = "m", *counter = "c", *name = "n";

static int work(int n)
{
	SWT_MODULE_SCOPE("cpp_scope");
	SWT_MODULE_SCOPE("cpp_inner");
	return n + 1;
}

int main()
{
	int s = 0;

	for (int i = 0; i < 10; i++) {
		swt::module_scope scope("cpp_module");
		swt_count("cpp_counter", i);
		swt_mark("cpp_mark");
		swt_count(counter, 1);
		swt_mark(name);
		swt::module_scope other(module);
		s = work(s);
	}
	if (swt_trace_enabled() || swt_trace_flush() != SWT_TRACE_ENOTFOUND ||
	    swt_trace_dropped() != 0 || !std::strlen(swt_trace_version()) ||
	    s != 10)
		return 1;
	return 0;
}
