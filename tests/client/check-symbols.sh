#!/bin/sh
# Exported symbols of libswtrace == the global names of swtrace.sym, and
# each carries the symbol version of its node.
#   check-symbols.sh LIBSWTRACE.so SWTRACE.sym
set -eu
lib=$1
sym=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Names under "global:" up to "local:" (comments stripped).
sed -e 's|/\*.*\*/||g' -e '/\/\*/,/\*\//d' "$sym" |
	awk '/global:/ { on = 1; next } /local:/ { on = 0 } on' |
	tr -d ' \t;' | grep -v '^$' | sort >"$tmp/want"
# Defined dynamic symbols with their versions (the version node itself is
# an ABS symbol of its own).
nm -D --defined-only --with-symbol-versions "$lib" |
	awk '$2 != "A" { print $3 }' | sort >"$tmp/have"
sed 's/@.*//' "$tmp/have" | sort -u >"$tmp/have_names"
if ! diff -u "$tmp/want" "$tmp/have_names"; then
	echo "check-symbols: exports of $lib differ from $sym" >&2
	exit 1
fi
if grep -v '@@SWTRACE_0$' "$tmp/have" >"$tmp/unversioned"; then
	echo "check-symbols: symbols without version SWTRACE_0:" >&2
	cat "$tmp/unversioned" >&2
	exit 1
fi
echo "ok: $(wc -l <"$tmp/want") symbols, all SWTRACE_0"
