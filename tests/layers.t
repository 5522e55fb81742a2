#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# layers.t - the layers go one way (TAP): cmd/ and bench/ use lib/, lib/
# uses neither, bench/ uses no cmd/.  Checked on the sources (includes) and
# on the built objects (no lib/ or bench/ object needs a cmd/ symbol).
# Tests go through interfaces: no tests/ source includes a .c file.
set -u
cd "$(dirname "$0")/.." || exit 1
B=build
echo "1..5"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; sed 's/^/# /' "$3"; fi; }
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

cmdh=$(cd cmd && ls *.h | sed 's/[.]/[.]/' | paste -sd'|')
grep -nE "#include \"($cmdh)\"" lib/*.[ch] bench/*.[ch] tests/example_bench.c > "$TMP/inc" 2>&1
ok $(( $? != 1 )) "no lib/ or bench/ source (nor the example benchmark) includes a cmd/ header" "$TMP/inc"

grep -nE '#include "(\.\./)?(cmd|bench)/' lib/*.[ch] > "$TMP/rel" 2>&1
ok $(( $? != 1 )) "no lib/ source reaches into another layer by path" "$TMP/rel"

grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"][^>"]*[.]c[>"]' \
	tests/*.[ch] tests/fuzz/*.[ch] > "$TMP/incc" 2>&1
ok $(( $? != 1 )) "no test includes a .c file (tests use headers and descriptors)" "$TMP/incc"

# lib/ names no benchmark: no string in lib/'s code (comments aside) holds
# a registered benchmark's name as a word (the names from `gupsync list`,
# or from the descriptors when it is not built).
G=${GUPSYNC:-./gupsync}
if [ -x "$G" ]; then
	names=$("$G" list 2>/dev/null | awk '/^[a-z0-9]/ {print $1}')
else
	names=$(sed -n 's/^[[:space:]]*[.]name = "\([a-z0-9-]*\)",.*/\1/p' bench/*.c)
fi
for f in lib/*.[ch]; do
	cpp -fpreprocessed -P "$f" 2>/dev/null | grep -oE '"([^"\\]|\\.)*"' |
		sed "s#^#$f: #"
done > "$TMP/strs"
: > "$TMP/named"
for b in $names; do
	grep -E "[^a-z0-9_-]$b([^a-z0-9_-]|\$)" "$TMP/strs" >> "$TMP/named"
done
ok $(( $(wc -l < "$TMP/named") != 0 || $(wc -w <<< "$names") == 0 )) \
	"lib/ names no benchmark ($(wc -w <<< "$names") registered)" "$TMP/named"

if ! ls $B/lib/*.o $B/cmd/*.o > /dev/null 2>&1 || ! command -v nm > /dev/null; then
	echo "ok $((n + 1)) - # SKIP objects not built (make gupsync first) or no nm"
	exit 0
fi
nm -u $B/lib/*.o $B/bench/*.o | awk 'NF == 2 {print $2}' | sort -u > "$TMP/undef"
nm --defined-only $B/cmd/*.o | awk 'NF == 3 && $2 ~ /[TDBR]/ {print $3}' | sort -u > "$TMP/cmddef"
comm -12 "$TMP/undef" "$TMP/cmddef" > "$TMP/cross"
ok $(( $(wc -l < "$TMP/cross") != 0 )) "no lib/ or bench/ object needs a cmd/ symbol" "$TMP/cross"
