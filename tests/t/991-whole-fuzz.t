#!/bin/sh
# CI fuzzing: every libFuzzer target (tests/fuzz/fuzz-*.c, ASan + UBSan) runs
# FUZZ_CI_SECONDS (default 10) on its seed corpus, generated from real files
# by tests/fuzz/corpus.sh, plus its checked-in regressions; any crash, leak,
# timeout or sanitizer report fails the test and leaves the input in $T.
. "${0%/*}/../lib/tap.sh"
need clang flock
FB=$IGOS_SRC/build-fuzz
secs=${FUZZ_CI_SECONDS:-10}
mkdir -p "$FB"
ok "the fuzz targets build" flock "$FB" \
	make -s -C "$IGOS_SRC" fuzz-build
for src in "$IGOS_SRC"/tests/fuzz/fuzz-*.c; do
	t=${src##*/}; t=${t%.c}
	mkdir -p "corpus-$t" "new-$t"
	IGOS_BUILD=${IGOS_BUILD:-$IGOS_SRC/build} sh "$IGOS_SRC/tests/fuzz/corpus.sh" "$t" "corpus-$t"
	dirs="corpus-$t"
	[ -d "$IGOS_SRC/tests/fuzz/regress/$t" ] && dirs="$dirs $IGOS_SRC/tests/fuzz/regress/$t"
	# the first directory gets the new inputs: a scratch one, so the seeds stay as made
	if nice "$FB/$t" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$T/crash-$t-" "new-$t" $dirs >"$t.log" 2>&1; then
		_tap_result 0 "$t: $(sed -n 's/^stat::number_of_executed_units: *//p' "$t.log") executions in ${secs} s, no crash"
	else
		_tap_result 1 "$t crashed"
		grep -E 'ERROR|SUMMARY|Test unit written|^    #[0-9] ' "$t.log" | head -n 25 | diag "$(cat)"
	fi
	rm -rf "new-$t"
done
done_testing
