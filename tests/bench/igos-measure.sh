#!/bin/sh
# igos-measure beside systemd-measure 252: calculate (all four banks, four
# phases) over a 16 MiB kernel and a 64 MiB initrd, given as files and as a
# UKI; sign (sha256, four phases) with an RSA-2048 file key, systemd-measure
# computing its policy on a swtpm. Prints mean times and ratios.
set -eu
. "${IGOS_SRC:-$(cd "${0%/*}/../.." && pwd)}/tests/bench/lib.sh"
SM=/usr/lib/systemd/systemd-measure
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
for c in igos-measure "$SM" swtpm objcopy openssl; do
	command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || { echo "bench: $c missing"; exit 1; }
done
D=$(mktemp -d "${TMPDIR:-/tmp}/igos-bench.XXXXXX")
SWPID=""
trap '[ -n "$SWPID" ] && kill $SWPID 2>/dev/null; rm -rf "$D"' EXIT
cd "$D"
head -c 16777216 /dev/urandom > linux
head -c 67108864 /dev/urandom > initrd
printf 'ID=igos\n' > osrel
printf 'quiet' > cmdline
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem 2>/dev/null
chmod 600 key.pem
openssl pkey -in key.pem -pubout -out pub.pem
objcopy --add-section .osrel=osrel --change-section-vma .osrel=0x20000 \
	--add-section .cmdline=cmdline --change-section-vma .cmdline=0x21000 \
	--add-section .initrd=initrd --change-section-vma .initrd=0x30000 \
	--add-section .linux=linux --change-section-vma .linux=0x5000000 "$STUB" uki.efi
F="--linux=linux --osrel=osrel --cmdline=cmdline --initrd=initrd"
mkdir tpm
P=$(( 30000 + ($$ % 10000) * 2 ))
swtpm socket --tpm2 --flags startup-clear,not-need-init --tpmstate dir="$D/tpm" \
	--server type=tcp,port=$P,bindaddr=127.0.0.1 --ctrl type=tcp,port=$((P + 1)),bindaddr=127.0.0.1 \
	--pid file="$D/tpm/pid" --daemon
SWPID=$(cat tpm/pid)

N=5
mean() { # COMMAND...: mean wall time of N runs, in ms
	_s=$(date +%s%N)
	_i=0
	while [ $_i -lt $N ]; do
		"$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; exit 1; }
		_i=$((_i + 1))
	done
	echo $(( ($(date +%s%N) - _s) / N / 1000000 ))
}
row() { # NAME IGOS_MS PEER_MS
	printf '%-44s igos %6d ms   systemd-measure %6d ms   ratio %s\n' "$1" "$2" "$3" \
		"$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
	bench_record measure "$1" "$2" ms systemd-measure "$3" ""
}
# shellcheck disable=SC2086
a=$(mean igos-measure calculate $F); b=$(mean "$SM" calculate $F)
row "calculate, files (80 MiB, 4 banks x 4 phases)" "$a" "$b"
a=$(mean igos-measure calculate uki.efi)
row "calculate, the same as a UKI" "$a" "$b"
# shellcheck disable=SC2086
a=$(mean igos-measure calculate -b sha256 $F); b=$(mean "$SM" calculate --bank=sha256 $F)
row "calculate, files, sha256 only" "$a" "$b"
# shellcheck disable=SC2086
a=$(mean igos-measure sign -k key.pem -b sha256 $F -o ig.json)
# shellcheck disable=SC2086
b=$(mean "$SM" sign --tpm2-device="swtpm:host=127.0.0.1,port=$P" --private-key=key.pem \
	--public-key=pub.pem --bank=sha256 $F)
row "sign, files, sha256 x 4 phases" "$a" "$b"
