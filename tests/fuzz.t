#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fuzz.t - replay the loaders' fuzz corpus (tests/fuzz/corpus: seeds from
# real run directories of every benchmark) and every regression file (a
# crash the fuzzer once found, tests/fuzz/regress) through the libFuzzer
# harnesses built with ASan and UBSan but without libFuzzer
# (build/fuzz/replay_*, made by `make test` where clang-14 is installed).
# A finding aborts the replay.  Never fuzzes anew: `make fuzz` does.
set -u
shopt -s nullglob
cd "$(dirname "$0")/.." || exit 1
n=0
names="csv rundir"
for name in $names; do
	if [ ! -x "build/fuzz/replay_$name" ]; then
		echo "1..0 # SKIP build/fuzz/replay_$name not built (clang-14 missing?)"
		exit 0
	fi
done
for name in $names; do
	files=(tests/fuzz/corpus/"$name"/* tests/fuzz/regress/"$name"/*)
	out=$(UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	      ASAN_OPTIONS=detect_leaks=1 \
	      "build/fuzz/replay_$name" "${files[@]}" 2>&1)
	rc=$?
	n=$((n + 1))
	if [ "$rc" -eq 0 ] && ! grep -q "^not ok" <<<"$out"; then
		echo "ok $n - $name: ${#files[@]} corpus and regression files replayed clean"
	else
		echo "not ok $n - $name: replay (exit $rc)"
		tail -n 20 <<<"$out" | sed 's/^/#   /'
	fi
done
echo "1..$n"
