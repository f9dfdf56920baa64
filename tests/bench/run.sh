#!/bin/sh
# make bench: the machine first (CPU, cores, SHA extensions, load), then each
# benchmark named on the command line; every figure they record also goes to
# $IGOS_BUILD/bench.json (tests/bench/lib.sh), so a later run can be compared.
set -eu
SRC=${IGOS_SRC:-$(cd "${0%/*}/../.." && pwd)}
B=${IGOS_BUILD:-$SRC/build}
. "$SRC/tests/bench/lib.sh"
bench_header
bench_passes
IGOS_BENCH_LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
IGOS_BENCH_OUT=$B/bench.jsonl
export IGOS_BENCH_OUT IGOS_BENCH_LOAD0
: >"$IGOS_BENCH_OUT"
for b in "$@"; do
	sh "$b"
done
bench_json "$IGOS_BENCH_OUT" >"$B/bench.json.tmp"
mv -f "$B/bench.json.tmp" "$B/bench.json"
rm -f "$IGOS_BENCH_OUT"
echo "bench: figures in $B/bench.json"
