#include "swt_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "swt_parse.h"
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

int swt_cli_getopt_error(const char *prog, int c, char *const argv[])
{
	char shortopt[3] = "-?";

	const char *arg = argv[optind - 1];

	if (c == ':')
		return swt_cli_usage_error(prog, "missing argument for ", arg);
	/* "--dump=x": a known long option given a value it does not take
	 * (getopt sets optopt to its value, which is no help here) */
	if (optopt != 0 && strncmp(arg, "--", 2) == 0 && strchr(arg, '=')) {
		char name[64];
		size_t n = (size_t)(strchr(arg, '=') - arg);

		snprintf(name, sizeof(name), "%.*s", (int)n, arg);
		return swt_cli_usage_error(prog, "option takes no value: ",
					   name);
	}
	if (optopt > 0 && optopt < 256) {
		shortopt[1] = (char)optopt;
		return swt_cli_usage_error(prog, "unknown option ", shortopt);
	}
	return swt_cli_usage_error(prog, "unknown option ", arg);
}

int swt_cli_one_file(const char *prog, int argc, char *const argv[],
		     const char **path)
{
	if (optind >= argc)
		return swt_cli_usage_error(prog, "missing FILE", "");
	if (argc - optind > 1)
		return swt_cli_usage_error(
			prog, "one FILE only, extra argument: ", argv[optind + 1]);
	*path = argv[optind];
	return 0;
}

int swt_cli_time_option(const char *prog, bool is_from, const char *arg,
			int64_t *out)
{
	if (swt_parse_duration_ns(out, arg) < 0)
		return swt_cli_usage_error(
			prog, is_from ? "--from expects a time from the start "
					"(90, 90s, 5m, 1h), not " :
					"--to expects a time from the start "
					"(90, 90s, 5m, 1h), not ",
			arg);
	return 0;
}

int swt_cli_threads_option(const char *prog, const char *arg,
			   unsigned *out)
{
	unsigned long v = 0;
	const char *p;

	for (p = arg; *p >= '0' && *p <= '9' && v <= SWT_CLI_MAX_THREADS; p++)
		v = v * 10 + (unsigned long)(*p - '0');
	if (p == arg || *p || v < 1 || v > SWT_CLI_MAX_THREADS)
		return swt_cli_usage_error(prog, "--threads expects 1 to 64, "
					   "not ", arg);
	*out = (unsigned)v;
	return 0;
}

unsigned swt_cli_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > SWT_CLI_DEFAULT_MAX_THREADS ? SWT_CLI_DEFAULT_MAX_THREADS :
						(unsigned)n;
}

bool swt_cli_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

FILE *swt_cli_open_output(const char *prog, const char *path)
{
	struct stat st;
	FILE *f = NULL;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == ELOOP)
			fprintf(stderr, "%s: %s: exists and is not a "
				"regular file (a symbolic link, not "
				"followed)\n", prog, path);
		else
			fprintf(stderr, "%s: %s: %s\n", prog, path,
				strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0 ||
	    (S_ISREG(st.st_mode) && ftruncate(fd, 0) != 0)) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		goto out;
	}
	f = fdopen(fd, "wb");
	if (!f)
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
	else
		fd = -1;
out:
	if (fd >= 0)
		close(fd);
	return f;
}
