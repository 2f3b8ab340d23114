# tap-core.sh — the TAP test-point helpers every shell test of swt uses,
# sourced by tests/cli/tap.sh and tests/analyze/tap.sh (which add what their
# tools need). POSIX sh. A test reports through check/ok/not_ok/skip and
# ends with done_testing; `run` captures a command's output in $T (the
# script's own temporary directory).

set -u
LC_ALL=C
export LC_ALL

tap_n=0
tap_failed=0

# tap_args N USAGE "$@": bail out unless the script got N arguments.
tap_args() {
	tap_want=$1
	tap_usage=$2
	shift 2
	if [ $# -ne "$tap_want" ]; then
		echo "Bail out! usage: $tap_usage"
		exit 1
	fi
}

# tap_sandbox: empty the script's temporary directory $T (its only place
# to write), or bail out.
tap_sandbox() {
	rm -rf "$T" && mkdir -p "$T" || {
		echo "Bail out! cannot create $T"
		exit 1
	}
}

diag() {
	sed 's/^/# /'
}

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}

not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	# show what the last run printed
	if [ -f "$T/out" ]; then
		echo "stdout:" | diag
		head -n 20 "$T/out" | cut -c 1-300 | diag
	fi
	if [ -f "$T/err" ]; then
		echo "stderr:" | diag
		head -n 20 "$T/err" | diag
	fi
	if [ -n "${rc:-}" ]; then
		echo "exit status: $rc" | diag
	fi
}

skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# check DESCRIPTION COMMAND...: one test point, ok when COMMAND succeeds.
check() {
	tap_desc=$1
	shift
	if "$@"; then
		ok "$tap_desc"
	else
		not_ok "$tap_desc"
	fi
}

# run COMMAND...: stdout into $T/out, stderr into $T/err, status into $rc.
run() {
	rc=0
	"$@" >"$T/out" 2>"$T/err" || rc=$?
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit $?
}
