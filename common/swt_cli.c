#include "swt_cli.h"

#include <stdio.h>
#include <string.h>

#include "swt_status.h"

void swt_cli_error_line(const char *prog, const char *path, int status,
			const char *msg)
{
	size_t n = strlen(path);

	if (!msg || !*msg)
		fprintf(stderr, "%s: %s: %s\n", prog, path,
			swt_status_name(status));
	else if (strncmp(msg, path, n) == 0 && msg[n] == ':')
		fprintf(stderr, "%s: %s\n", prog, msg);
	else
		fprintf(stderr, "%s: %s: %s\n", prog, path, msg);
}

int swt_cli_usage_error(const char *prog, const char *what, const char *arg)
{
	fprintf(stderr, "%s: %s%s\nTry '%s --help' for more information.\n",
		prog, what, arg, prog);
	return SWT_EINVAL;
}
