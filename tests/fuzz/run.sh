#!/bin/sh
# Run each fuzz target for SECONDS on its corpus (generated, plus the checked-in
# regressions), and print executions and executions per second per target.
# Exit 1 if any target crashed; the crashing input is kept in build-fuzz/crash-*.
set -eu
secs=$1; shift
src=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
for t in "$@"; do
	name=${t##*/}
	corpus=$FUZZ_BUILD/corpus/$name
	mkdir -p "$corpus"
	sh "$src/tests/fuzz/corpus.sh" "$name" "$corpus"
	regress=$src/tests/fuzz/regress/$name
	dirs=$corpus
	[ -d "$regress" ] && dirs="$dirs $regress"
	log=$FUZZ_BUILD/$name.log
	if "$t" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$FUZZ_BUILD/crash-$name-" \
		$dirs >"$log" 2>&1; then st=ok; else st=CRASH; fail=1; fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	printf '%-28s %-5s %12s execs %10s execs/s\n' "$name" "$st" "${runs:-?}" "${speed:-?}"
	[ "$st" = ok ] || tail -n 30 "$log"
done
exit $fail
