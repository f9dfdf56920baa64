# TAP helpers for the command-line tests. Source it first thing:
#   . "${0%/*}/../lib/tap.sh"
# Each test then runs in its own temp directory ($T, the working directory),
# removed on exit. Under CI=true a skip is a failure: CI never passes by skipping.
set -u

TAP_N=0
TAP_FAILED=0
TAP_PLANNED=""
IGOS_SRC=${IGOS_SRC:-$(cd "${0%/*}/../.." && pwd)}
TESTLIB=$IGOS_SRC/tests/lib
T=$(mktemp -d "${TMPDIR:-/tmp}/igos-test.XXXXXX")
_tap_cleanup() { chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"; }
trap _tap_cleanup EXIT
trap 'exit 129' HUP INT TERM
cd "$T" || exit 1
umask 022

plan() { TAP_PLANNED=$1; echo "1..$1"; }

_tap_result() { # status description
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# ok DESCRIPTION COMMAND...: passes when the command succeeds.
ok() {
	_d=$1; shift
	if "$@" >"$T/.ok.out" 2>&1; then _tap_result 0 "$_d"; else
		_tap_result 1 "$_d"; diag "command failed: $*"; tail -n 20 "$T/.ok.out" | diag "$(cat)"; fi
}

# nok DESCRIPTION COMMAND...: passes when the command fails.
nok() {
	_d=$1; shift
	if "$@" >"$T/.ok.out" 2>&1; then _tap_result 1 "$_d"; diag "command succeeded: $*"
	else _tap_result 0 "$_d"; fi
}

# is GOT EXPECTED DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then _tap_result 0 "$3"; else
		_tap_result 1 "$3"; diag "got:      '$1'" "expected: '$2'"; fi
}

# run STATUS STDERR DESCRIPTION COMMAND...
# Runs the command with stdout in $T/out and stderr in $T/err; passes when the
# exit status is STATUS and stderr is exactly the line STDERR ("" = empty,
# "*" = anything). $OUT and $ERR hold them afterwards.
run() {
	_st=$1 _ee=$2 _d=$3; shift 3
	"$@" >"$T/out" 2>"$T/err" </dev/null
	_rc=$?
	OUT=$(cat "$T/out"); ERR=$(cat "$T/err")
	if [ "$_rc" -ne "$_st" ]; then
		_tap_result 1 "$_d"; diag "exit status $_rc, expected $_st: $*" "stderr: $ERR"
		return 0
	fi
	if [ "$_ee" != "*" ] && [ "$ERR" != "$_ee" ]; then
		_tap_result 1 "$_d"; diag "stderr:   '$ERR'" "expected: '$_ee'"
		return 0
	fi
	_tap_result 0 "$_d"
}

# skip REASON DESCRIPTION: a TAP skip, or a failure under CI=true.
skip() {
	if [ "${CI:-}" = true ]; then
		_tap_result 1 "$2 (skipped under CI: $1)"
	else
		TAP_N=$((TAP_N + 1)); echo "ok $TAP_N # skip $1"
	fi
}

# skip_all REASON: the whole script cannot run here.
skip_all() {
	if [ "${CI:-}" = true ]; then
		echo "1..1"; echo "not ok 1 - cannot run under CI: $1"; exit 1
	fi
	echo "1..0 # skip $1"; exit 0
}

# need CMD...: skip_all unless every command exists.
need() {
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 || [ -x "$_c" ] || skip_all "$_c not installed (make deps)"
	done
}

# same FILE1 FILE2 DESCRIPTION: byte-identical files.
same() {
	if cmp -s "$1" "$2"; then _tap_result 0 "$3"; else
		_tap_result 1 "$3"; diag "$1 and $2 differ"; fi
}

# flip FILE OFFSET: invert the byte at OFFSET in place (always a change, unlike
# writing a fixed byte, which may be the one already there).
flip() {
	_b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	[ -n "$_b" ] || return 1
	printf "\\$(printf %03o $((_b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# no_temps DIR DESCRIPTION: no temporary file left behind by an atomic writer.
no_temps() {
	_left=$(find "$1" -maxdepth 1 -name '.*~' 2>/dev/null)
	is "$_left" "" "$2"
}

done_testing() {
	[ -z "$TAP_PLANNED" ] && echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
	exit $?
}
