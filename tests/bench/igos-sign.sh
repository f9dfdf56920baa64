#!/bin/sh
# Benchmark (make bench): sign a 256 MiB PE with igos-sign, sbsign and
# osslsigncode; print CPU (user+sys), wall (igos-sign fsyncs; sbsign is
# followed by `sync` of its output), peak RSS, and the ratios issue 9 asks for.
set -eu
. "${IGOS_SRC:-$(cd "${0%/*}/../.." && pwd)}/tests/bench/lib.sh"
SRC=${IGOS_SRC:-$(cd "${0%/*}/../.." && pwd)}
S=${IGOS_BUILD:-$SRC/build}/bin/igos-sign
MB=${IGOS_BENCH_MB:-256}
RUNS=${IGOS_BENCH_RUNS:-3}
for c in sbsign osslsigncode python3 /usr/bin/time; do
	command -v $c >/dev/null || { echo "bench igos-sign: $c missing (make deps)" >&2; exit 1; }
done
D=$(mktemp -d "${IGOS_BENCH_DIR:-/var/tmp}/igos-sign-bench.XXXXXX")
trap 'rm -rf "$D"' EXIT
cd "$D"
(umask 077 && openssl rsa -passin pass:snakeoil -in /usr/share/ovmf/PkKek-1-snakeoil.key \
	-out k.pem 2>/dev/null)
cp /usr/share/ovmf/PkKek-1-snakeoil.pem c.pem
python3 "$SRC/tests/lib/sign-mkpe.py" make big.efi --size-mb "$MB" --trailing 5
sync
cat big.efi >/dev/null # warm the page cache for every tool alike

# measure NAME CMD...: over RUNS runs, the least CPU, the least wall and the
# largest peak RSS; prints "cpu wall rss_kib"
measure() {
	_name=$1; shift
	: >runs.txt
	for _i in $(seq "$RUNS"); do
		rm -f out.efi
		sync # nobody pays for another's writeback (ext4 commits the journal on fsync)
		/usr/bin/time -f '%U %S %e %M' -o t.txt "$@" >/dev/null 2>&1 ||
			{ echo "bench igos-sign: $_name failed" >&2; exit 1; }
		cat t.txt >>runs.txt
	done
	awk 'NR == 1 || $1 + $2 < c { c = $1 + $2 } NR == 1 || $3 < w { w = $3 }
		$4 > r { r = $4 } END { printf "%.2f %.2f %d\n", c, w, r }' runs.txt
}

igos=$(measure igos-sign "$S" sign -k k.pem -c c.pem -o out.efi big.efi)
"$S" verify -c c.pem out.efi >/dev/null
sb=$(measure sbsign sh -c 'sbsign --key k.pem --cert c.pem --output out.efi big.efi && sync out.efi')
sbcpu=$(measure sbsign-cpu sbsign --key k.pem --cert c.pem --output out.efi big.efi)
sha=$(measure sha256 openssl dgst -sha256 big.efi)
os=$(measure osslsigncode sh -c 'osslsigncode sign -certs c.pem -key k.pem -h sha256 -in big.efi -out out.efi && sync out.efi')

echo "igos-sign sign, $MB MiB PE, least of $RUNS runs (CPU = user+sys s, wall s, peak RSS MiB)"
printf '%-28s %6s %6s %8s\n' tool cpu wall rss
set -- $igos; printf '%-28s %6s %6s %8d\n' "igos-sign (fsync)" $1 $2 $(($3 / 1024)); ic=$1 iw=$2 ir=$3
set -- $sbcpu; printf '%-28s %6s %6s %8d\n' "sbsign" $1 $2 $(($3 / 1024)); sc=$1 sr=$3
set -- $sb; printf '%-28s %6s %6s %8d\n' "sbsign + sync" $1 $2 $(($3 / 1024)); sw=$2
set -- $os; printf '%-28s %6s %6s %8d\n' "osslsigncode + sync" $1 $2 $(($3 / 1024)); oc=$1 ow=$2 or=$3
set -- $sha; printf '%-28s %6s %6s %8d\n' "one SHA-256 pass (openssl)" $1 $2 $(($3 / 1024)); hc=$1
bench_record sign "sign $MB MiB, cpu" "$ic" s sbsign "$sc" "<= 0.50"
bench_record sign "sign $MB MiB, cpu" "$ic" s "one SHA-256 pass" "$hc" ""
bench_record sign "sign $MB MiB, wall" "$iw" s "sbsign + sync" "$sw" "<= 1.00"
bench_record sign "sign $MB MiB, wall" "$iw" s "osslsigncode + sync" "$ow" ""
bench_record sign "sign $MB MiB, peak RSS" "$((ir / 1024))" MiB sbsign "$((sr / 1024))" ""
awk -v ic="$ic" -v iw="$iw" -v ir="$ir" -v sc="$sc" -v sw="$sw" -v sr="$sr" \
	-v oc="$oc" -v ow="$ow" -v or="$or" -v hc="$hc" 'BEGIN {
	printf "ratio CPU  igos/sbsign        %.2f (target <= 0.50)\n", ic / sc
	printf "ratio CPU  igos/osslsigncode  %.2f\n", ic / oc
	printf "ratio CPU  SHA-256 pass/sbsign %.2f (the floor: the image must be hashed once)\n", hc / sc
	printf "ratio wall igos/(sbsign+sync) %.2f (target <= 1.00)\n", iw / sw
	printf "ratio wall igos/(ossl+sync)   %.2f\n", iw / ow
	printf "ratio RSS  igos/sbsign        %.3f (%d KiB vs %d KiB)\n", ir / sr, ir, sr
}'
