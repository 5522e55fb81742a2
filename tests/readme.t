#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# readme.t - a README that cannot drift (issue 20).  Every gupsync command
# in README.md's code blocks (and every `gupsync run ...` in its text) is
# executed: concrete ones as they are, made harmless (--dry-run, copies of
# the test fixtures for run directories, a private knobs journal);
# synopses (with [OPTIONS], RUN_A, ...) through the command's --help.
# Every --option a command names must be one its --help lists, so
# renaming an option in the code without the README fails here.  The
# example output of "What the output means" is compared by shape with a
# real short run (the same "# " header lines and table columns), and the
# CSV columns the README's schema table gives with the files a real run
# writes.  Emits TAP.
set -u
G=$(readlink -f "${GUPSYNC:-./gupsync}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
README=$ROOT/README.md
FX=$ROOT/tests/fixtures/runs
tmp=$(mktemp -d /tmp/gupsync-readme-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
export GUPSYNC_JOURNAL=$tmp/journal
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }

# The commands: code-block lines ("    ./gupsync ...", "    $ ./gupsync",
# "    gupsync VERB"), continuation lines joined, comments cut; and inline
# `gupsync run ...` / `./gupsync run ...` spans of the text.
verbs=$("$G" help | awk '/^  [a-z]/ { print $1 }' | tr '\n' ' ')
python3 - "$README" "$verbs" >"$tmp/cmds" <<'PY'
import re, sys
text = open(sys.argv[1]).read().split("\n")
verbs = set(sys.argv[2].split())
out, i, prose = [], 0, []
def flush():
    para = " ".join(l.strip() for l in prose)
    for m in re.finditer(r"`((?:\./)?gupsync run [^`]+)`", para):
        out.append(m.group(1))
    prose.clear()
while i < len(text):
    line = text[i]
    if not line.strip() or line.startswith("    "):
        flush()
    if line.startswith("    "):
        s = line[4:].strip()
        while s.endswith("\\") and i + 1 < len(text):
            i += 1
            s = s[:-1].rstrip() + " " + text[i].strip()
        s = re.sub(r"^\$ ", "", s)
        m = re.match(r"(\./)?gupsync (\S+)", s)
        if m and m.group(2) in verbs:
            s = re.sub(r"\s+#.*$", "", s)
            out.append(s)
    elif line.strip():
        prose.append(line)
    i += 1
flush()
import shlex
for s in dict.fromkeys(out):
    try:
        print("\x1f".join(shlex.split(s)))
    except ValueError:
        print(s)
PY
total=$(wc -l <"$tmp/cmds")
if [ "$total" -ge 20 ]; then ok "README names $total gupsync commands"
else not_ok "README names $total gupsync commands (too few: the extractor broke?)"; fi

# --help text of a verb, or of `run BENCH`.
helptext() {
	if [ "$1" = run ] && [[ "${2:-}" =~ ^[a-z][a-z0-9-]*$ ]]; then
		# a benchmark (not BENCH, ..., --resume)
		"$G" run "$2" --help 2>&1
	elif [ "$1" = sweep ] || [ "$1" = default ]; then
		"$G" "$1" --help 2>&1; "$G" run gup-fast --help 2>&1
	else
		"$G" "$1" --help 2>&1
	fi
}

# Every --option of the command is in its --help.
options_known() {	# WORDS...
	local -a w=("$@")
	local verb=${w[1]} bench=${w[2]:-} h bad=""
	h=$(helptext "$verb" "$bench")
	for t in "${w[@]:2}"; do
		# after "vm ... --" come the guest's gupsync's arguments
		[ "$verb" = vm ] && [ "$t" = -- ] && break
		case $t in --help|-h|--resume|--) continue ;; esac
		t=${t%%=*}
		t=${t#[}; t=${t%]}
		case $t in --?*) ;; *) continue ;; esac
		grep -q -- "${t}\b" <<<"$h" || bad="$bad $t"
	done
	[ -z "$bad" ] || { echo "$bad"; return 1; }
}

# Run directories the README points at: copies of the fixtures.
mkdir -p "$tmp/results"
cp -a "$FX/gup-fast-a" "$tmp/results/gup-fast-20261125-101500"
cp -a "$FX/rcu-wait" "$tmp/results/rcu-wait-20261125-101500"

while IFS=$'\x1f' read -ra w; do
	w[0]=${w[0]#./}
	c="${w[*]}"
	label="README: $c"
	[ ${#label} -gt 90 ] && label="${label:0:87}..."
	if ! bad=$(options_known "${w[@]}"); then
		not_ok "$label: options known" "not in --help:$bad"
		continue
	fi
	verb=${w[1]}
	# A synopsis: placeholders, alternatives or elisions.
	if grep -qE '\[|\.\.\.|RUN_?[A-Z]*|\bDIR\b|\bA1\b|\bBENCH\b|IMAGE|OPTS|ARGS|\|' <<<"$c"; then
		if helptext "$verb" "${w[2]:-}" >/dev/null; then
			ok "$label: a synopsis; its --help lists its options"
		else
			not_ok "$label: --help fails"
		fi
		continue
	fi
	args=("${w[@]:1}")
	case $verb in
	vm)	skip "$label: boots a guest (tests/vm.t does)"; continue ;;
	check)	args+=(--race-time=0 --output=-) ;;
	run)	if [ "${w[2]}" = --resume ]; then
			args=(run --resume "$tmp/results/${w[3]##*/}")
		elif ! grep -qE -- '--help|--dry-run' <<<"$c"; then
			args+=(--dry-run)
		fi ;;
	sweep)	if grep -q -- ' -- ' <<<"$c"; then args+=(--dry-run)
		else args+=(-- --dry-run); fi ;;
	default) args=(sweep -- --dry-run) ;;
	validate) args=(validate "$tmp/results/gup-fast-20261125-101500"
			"$tmp/results/rcu-wait-20261125-101500") ;;
	esac
	(cd "$tmp" && timeout 120 "$G" "${args[@]}") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 0 ] || [ $rc -eq 4 ]; then
		ok "$label"
	else
		not_ok "$label" "ran: gupsync ${args[*]}" "exit $rc" "$(tail -c 300 "$tmp/err")"
	fi
done <"$tmp/cmds"

# The example of "What the output means", by shape: a real short run of
# its command gives the same "# key:" header lines and table columns.
ex=$(awk '/^## What the output means/ { on = 1; next } on && /^## / { exit }
	  on && /^    / { print substr($0, 5) }' "$README")
# A line's key, its WARNING: aside (a busy machine adds one to "other
# work", so the key must not depend on the load).
keys() { sed 's/^# WARNING: /# /' | grep -oE '^# [a-z][a-z ]*:' | sort -u; }
(cd "$tmp" && "$G" run gup-fast --page-size 4K,2M --duration 20ms --warmup 5ms \
	--trials 6 --output "$tmp/ex") >"$tmp/exrun" 2>/dev/null
want=$(keys <<<"$ex" | grep -v '^# notes' | grep -v 'WARNING')
have=$(keys <"$tmp/exrun")
missing=$(comm -23 <(echo "$want") <(echo "$have"))
if [ -z "$missing" ]; then ok "example output: the header and footer lines a run prints"
else not_ok "example output: the header and footer lines a run prints" "README has, run lacks: $missing"; fi
if [ "$(grep -m1 '^page-size' <<<"$ex" | tr -s ' ')" = "$(grep -m1 '^page-size' "$tmp/exrun" | tr -s ' ')" ]; then
	ok "example output: the table's columns"
else
	not_ok "example output: the table's columns" "README: $(grep -m1 '^page-size' <<<"$ex")" \
		"run:    $(grep -m1 '^page-size' "$tmp/exrun")"
fi

# The schema table's columns, in order, against real files.
rd=$(ls -d "$tmp"/ex/gup-fast-* | head -1)
rw=$FX/rcu-wait
for f in trials.csv evidence.csv slices.csv samples.csv summary.csv; do
	dir=$rd; [ "$f" = samples.csv ] && dir=$rw
	cols=$(grep -m1 "^| $f |" "$README" | cut -d'|' -f3 | tr -d ' ' | tr ',' '\n' |
	       grep -vE '^(\.\.\.|themetrics|counts|)$' | grep -v '\.\.\.')
	head=$(head -1 "$dir/$f" | tr ',' '\n')
	missing=""
	for c in $cols; do grep -qx "$c" <<<"$head" || missing="$missing $c"; done
	# and in that order
	order=$(for c in $cols; do grep -nx "$c" <<<"$head" | cut -d: -f1; done | tr '\n' ' ')
	if [ -z "$missing" ] && [ "$order" = "$(tr ' ' '\n' <<<"$order" | grep . | sort -n | tr '\n' ' ')" ]; then
		ok "schema: $f has the README's columns ($(echo $cols | tr ' ' ','))"
	else
		not_ok "schema: $f has the README's columns" "missing:$missing" "order: $order"
	fi
done
echo "1..$n"
