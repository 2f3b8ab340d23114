#!/bin/sh
# bench/fuzz/run.sh — run every libFuzzer target for a while and write the
# figures down (docs/performance.md, "Fuzzing").
#
#   sh bench/fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 1800); TARGETs among fuzz_reader,
# fuzz_analyze, fuzz_config, fuzz_ingest, fuzz_cli (default all). Builds
# build-fuzz (clang, -Dfuzz=true) if needed. Each target starts from its seed corpus (the
# corrupt fixtures, the fixtures' sessions, tests/fuzz/corpus-*) and keeps
# what it finds in $FUZZ_CORPUS/TARGET (default build-fuzz/corpus), one
# libFuzzer job at a time (two cores: the machine stays usable). A crash
# leaves its input as build-fuzz/crash-* and makes the script fail; the
# last lines per target are libFuzzer's own summary.
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-1800}
[ $# -gt 0 ] && shift
targets=${*:-fuzz_reader fuzz_analyze fuzz_config fuzz_ingest fuzz_cli}
build=$src/build-fuzz
corpus=${FUZZ_CORPUS:-$build/corpus}

[ -f "$build/build.ninja" ] ||
	CC=clang meson setup "$build" -Dfuzz=true >/dev/null
ninja -C "$build" $(for t in $targets; do echo "tests/fuzz/$t"; done) \
	>/dev/null
. "$src/bench/facts.sh"
bench_facts "$src" "$build" tests/fuzz
status=0
for t in $targets; do
	mkdir -p "$corpus/$t"
	extra=
	case $t in
	fuzz_reader) seeds="$src/fixtures/corrupt $src/tests/fuzz/corpus-analyze $src/tests/fuzz/corpus-reader"
		max=65536 ;;
	fuzz_analyze) seeds="$src/tests/fuzz/corpus-analyze $src/fixtures/corrupt"
		max=32768 ;;
	fuzz_config) seeds="$src/tests/fuzz/corpus-config"; max=4096 ;;
	fuzz_ingest) seeds="$src/tests/fuzz/corpus-ingest"; max=4096 ;;
	# the parsers print usage errors and --help: fd 1 and 2 closed
	fuzz_cli) seeds="$src/tests/fuzz/corpus-cli"; max=512
		extra=-close_fd_mask=3 ;;
	*) echo "$0: unknown target $t" >&2; exit 2 ;;
	esac
	echo "## $t, $secs s"
	(cd "$build" && "./tests/fuzz/$t" -max_total_time="$secs" \
		-max_len="$max" -print_final_stats=1 $extra "$corpus/$t" $seeds) \
		>"$build/$t.log" 2>&1 || status=1
	grep -E "DONE|stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY" \
		"$build/$t.log" || true
	echo "corpus: $(ls "$corpus/$t" | wc -l) inputs"
done
exit $status
