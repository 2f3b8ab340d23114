# tap.sh — TAP helpers for the swanalyze tests, sourced by golden.sh and
# test-cli.sh. POSIX sh; every script works only inside its own temporary
# directory $T (emptied first): fixtures and the source tree stay read-only.

set -u
LC_ALL=C
export LC_ALL

tap_n=0
tap_failed=0

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

fresh_dir() {
	rm -rf "$1" && mkdir -p "$1" || {
		echo "Bail out! cannot create $1"
		exit 1
	}
}

# abspath PATH: PATH made absolute (meson may pass paths relative to the
# build directory, and the scripts change directory).
abspath() {
	case $1 in
	/*) echo "$1" ;;
	*) echo "$(pwd)/$1" ;;
	esac
}
