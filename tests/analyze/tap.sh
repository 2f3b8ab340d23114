# tap.sh — TAP helpers for the swanalyze tests, sourced by golden.sh and
# test-cli.sh. POSIX sh; every script works only inside its own temporary
# directory $T (emptied first): fixtures and the source tree stay read-only.

# the test-point helpers shared with the other shell tests
. "$5/../tap-core.sh"

# abspath PATH: PATH made absolute (meson may pass paths relative to the
# build directory, and the scripts change directory).
abspath() {
	case $1 in
	/*) echo "$1" ;;
	*) echo "$(pwd)/$1" ;;
	esac
}
