#!/bin/sh
# Exported symbols of a library == the global names of its version script,
# and each carries the symbol version of the script's node (one node:
# libswtrace's SWTRACE_0, libswt's SWT_0).
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
# The node's name: the word before the first "{".
node=$(sed -e 's|/\*.*\*/||g' -e '/\/\*/,/\*\//d' "$sym" |
	awk '/{/ { print $1; exit }')
# Defined dynamic symbols with their versions (the version node itself is
# an ABS symbol of its own).
nm -D --defined-only --with-symbol-versions "$lib" |
	awk '$2 != "A" { print $3 }' | sort >"$tmp/have"
sed 's/@.*//' "$tmp/have" | sort -u >"$tmp/have_names"
if ! diff -u "$tmp/want" "$tmp/have_names"; then
	echo "check-symbols: exports of $lib differ from $sym" >&2
	exit 1
fi
if grep -v "@@$node\$" "$tmp/have" >"$tmp/unversioned"; then
	echo "check-symbols: symbols without version $node:" >&2
	cat "$tmp/unversioned" >&2
	exit 1
fi
echo "ok: $(wc -l <"$tmp/want") symbols, all $node"
