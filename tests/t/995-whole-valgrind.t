#!/bin/sh
# The command-line tests under valgrind memcheck: every igos command those
# tests run goes through valgrind (full leak check; definite, indirect and
# possible leaks count as errors, exit status 99). The tests must still pass
# and no run may report an error or a leak. VALGRIND_TESTS picks the scripts.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/wrapcmds.sh"
need valgrind
if [ "${SANITIZE:-}" = 1 ]; then
	# valgrind cannot run ASan binaries; in this pass ASan and UBSan check
	# every command of the whole suite instead
	echo "1..1"
	echo "ok 1 - SANITIZE=1: ASan and UBSan check memory in this pass (valgrind runs in the plain one)"
	exit 0
fi
S=$IGOS_SRC/tests/t
wrap_cmds "$T/wrap" valgrind "$T/log"
# (the full list, 6 minutes on a loaded 2-core box, adds 14-sign-verify.t and
# 53-mok-list.t; CI runs the command-line tests of each command)
set -- ${VALGRIND_TESTS:-$S/10-sign-cli.t $S/29-ukify-cli.t $S/44-verity-dump.t \
	$S/50-mok-cli.t $S/60-index-cli.t $S/70-measure-cli.t $S/80-sbom-cli.t}
res=$(run_scripts "$T/wrap" "$@")
is "$(echo "$res" | grep -v ': ok$')" "" "the tests pass with the commands under valgrind"
n=$(ls "$T/log" | wc -l)
ok "the commands ran under valgrind ($n runs)" test "$n" -gt 50
# with -q a clean run logs nothing; anything logged is an error or a leak
bad=$(find "$T/log" -type f -size +0 | head -n 3)
is "$bad" "" "no memcheck error and no leak in any run"
for f in $bad; do head -n 30 "$f" | diag "$(cat)"; done
done_testing
