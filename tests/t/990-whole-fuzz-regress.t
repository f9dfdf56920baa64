#!/bin/sh
# Every input a fuzz target ever crashed on (tests/fuzz/regress/<target>/) is
# replayed through its target (libFuzzer -runs=0: run each input once) under
# ASan + UBSan: the fixed bugs stay fixed.
. "${0%/*}/../lib/tap.sh"
need clang flock
FB=$IGOS_SRC/build-fuzz
mkdir -p "$FB"
ok "the fuzz targets build" flock "$FB" \
	make -s -C "$IGOS_SRC" fuzz-build
for d in "$IGOS_SRC"/tests/fuzz/regress/fuzz-*; do
	[ -d "$d" ] || continue
	t=${d##*/}
	n=$(ls "$d" | wc -l)
	ok "$t replays its $n regression input(s) without a crash" \
		"$FB/$t" -runs=0 "$d"
done
# the replay does fail on a crash: a target that aborts on any input
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { if (n > 1 && d[0] == 0x58) __builtin_trap(); return 0; }\n' >bad.c
ok "a trapping target builds" clang -fsanitize=fuzzer -o bad bad.c
mkdir in && printf 'XX' >in/x
nok "the replay reports a crashing input as a failure" ./bad -runs=0 in
done_testing
