#!/bin/sh
# Benchmark (make bench): kernel-install add (Debian 12's, with the igos hooks:
# build, sign, verify, install on the "ESP", each write durable) of a 14 MiB
# kernel and a 128 MiB initrd, against a durable copy of the same bytes onto the
# same filesystem (cat kernel initrd > out; sync out) plus one SHA-256 pass over
# the image. Issue 27's target: within 1.25x of the two. Twice: as the CPU is,
# and with SHA-NI masked for OpenSSL (a CPU without SHA extensions, emulated).
set -eu
. "${IGOS_SRC:-$(cd "${0%/*}/../.." && pwd)}/tests/bench/lib.sh"
SRC=${IGOS_SRC:-$(cd "${0%/*}/../.." && pwd)}
B=${IGOS_BUILD:-$SRC/build}
RUNS=${IGOS_BENCH_RUNS:-3}
for c in kernel-install openssl /usr/bin/time; do
	command -v $c >/dev/null || { echo "bench hooks: $c missing (make deps)" >&2; exit 1; }
done
D=$(mktemp -d "${IGOS_BENCH_DIR:-/var/tmp}/igos-hooks-bench.XXXXXX")
trap 'rm -rf "$D"' EXIT
cd "$D"
mkdir esp conf
(umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -keyout mok.key -out mok.crt \
	-subj "/CN=igos bench MOK" -days 1 2>/dev/null)
printf '[UKI]\nStub = %s\nSecureBootPrivateKey = %s\nSecureBootCertificate = %s\n' \
	"$B/efi/igos-stubx64.efi" "$D/mok.key" "$D/mok.crt" >conf/uki.conf
echo "root=/dev/vda2 ro quiet" >conf/cmdline
head -c $((14 << 20)) /dev/urandom >vmlinuz
head -c $((128 << 20)) /dev/urandom >initrd.img
cat vmlinuz initrd.img >/dev/null # warm the page cache for both alike

# kernel-install's staging area on the same filesystem as the ESP
export TMPDIR=$D BOOT_ROOT=$D/esp MACHINE_ID=0123456789abcdef0123456789abcdef ENTRY_TOKEN=bench \
	KERNEL_INSTALL_CONF_ROOT=$D/conf PATH=$B/bin:$PATH \
	KERNEL_INSTALL_PLUGINS="$SRC/hooks/60-igos-ukify.install $SRC/hooks/90-igos-uki.install"

# best NAME CMD...: best wall time of RUNS, "wall cpu". Before each run
# (untimed) the function prep, if set, clears what the run writes.
prep() { :; }
best() {
	_name=$1; shift
	_best=""
	for _i in $(seq "$RUNS"); do
		prep "$_i"
		/usr/bin/time -f '%e %U %S' -o t.txt "$@" >/dev/null 2>err.txt ||
			{ echo "bench hooks: $_name failed: $(tail -n 1 err.txt)" >&2; exit 1; }
		_r=$(awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' t.txt)
		if [ -z "$_best" ] || [ "$(echo "$_r $_best" | awk '{ print ($1 < $3) }')" = 1 ]; then
			_best=$_r
		fi
	done
	echo "$_best"
}

# Each run writes a new file, as an upgrade installs a new kernel version: on
# this machine's ext4 (mounted with discard) freeing a synced 142 MB file takes
# 0.2-0.3 s, which neither side should pay for the previous run.
prep() { rm -f esp/out; }
ref=$(best "cat+sync" sh -c 'cat vmlinuz initrd.img >esp/out && sync esp/out')
prep() {
	[ "$1" -eq 1 ] || kernel-install remove "6.1.0-bench$(($1 - 1))"
	export BENCH_RUN="$1"
}
ki=$(best "kernel-install add" sh -c 'kernel-install add "6.1.0-bench$BENCH_RUN" vmlinuz initrd.img')
prep() { :; }
"$B/bin/igos-sign" verify -c mok.crt "esp/EFI/Linux/bench-6.1.0-bench$RUNS.efi" >/dev/null
# where the time would go if each step ran alone
bu=$(best "build" igos-ukify build --config conf/uki.conf --linux vmlinuz --initrd initrd.img \
	--uname 6.1.0-bench -o unsigned.efi)
bs=$(best "sign" igos-sign sign -k mok.key -c mok.crt -o signed.efi unsigned.efi)
vf=$(best "verify" igos-sign verify -c mok.crt signed.efi)
prep() { rm -f streamed.efi; : >streamed.efi; }
st=$(best "build | sign" sh -c 'igos-ukify build --config conf/uki.conf --linux vmlinuz \
	--initrd initrd.img --uname 6.1.0-bench -o - |
	igos-sign sign -k mok.key -c mok.crt -o - - >streamed.efi')
# what 60-igos-ukify.install runs: the three at once, the file read back as
# it is written
sv=$(best "build | sign | verify --follow" sh -c 'igos-ukify build --config conf/uki.conf \
	--linux vmlinuz --initrd initrd.img --uname 6.1.0-bench -o - |
	igos-sign sign -k mok.key -c mok.crt --progress-fd 3 -o - - 3>&1 >streamed.efi |
	igos-sign verify --follow 0 -c mok.crt streamed.efi')
prep() { :; }
# the floor (issue 27): what the install must do, hash the image once and
# write it durably once; the read-back check may overlap the writing
f1=$(best "sha256" openssl dgst -sha256 signed.efi)
# A CPU without SHA extensions, emulated by masking the SHA-NI bit for
# OpenSSL (openssl and igos alike; here SHA-256 drops to about 0.5 GB/s);
# the durable copy does not hash and is the same.
NOSHA=":~0x20000000"
prep() {
	if [ "$1" -eq 1 ]; then
		kernel-install remove "6.1.0-bench$RUNS"
	else
		kernel-install remove "6.1.0-nosha$(($1 - 1))"
	fi
	export BENCH_RUN="$1"
}
kn=$(OPENSSL_ia32cap=$NOSHA best "kernel-install add, no SHA-NI" \
	sh -c 'kernel-install add "6.1.0-nosha$BENCH_RUN" vmlinuz initrd.img')
prep() { rm -f streamed.efi; : >streamed.efi; }
svn=$(OPENSSL_ia32cap=$NOSHA best "build | sign | verify --follow, no SHA-NI" sh -c 'igos-ukify build \
	--config conf/uki.conf --linux vmlinuz --initrd initrd.img --uname 6.1.0-bench -o - |
	igos-sign sign -k mok.key -c mok.crt --progress-fd 3 -o - - 3>&1 >streamed.efi |
	igos-sign verify --follow 0 -c mok.crt streamed.efi')
prep() { :; }
fn=$(OPENSSL_ia32cap=$NOSHA best "sha256, no SHA-NI" openssl dgst -sha256 signed.efi)
echo "hooks: kernel-install add, 14 MiB kernel + 128 MiB initrd, best of $RUNS (wall s, cpu s)"
echo "$ref" | awk '{ printf "  cat > out; sync out      %6.2f  %6.2f  (one durable copy)\n", $1, $2 }'
echo "$f1" | awk '{ printf "  one SHA-256 pass         %6.2f  %6.2f\n", $1, $2 }'
echo "$ki" | awk '{ printf "  kernel-install add       %6.2f  %6.2f\n", $1, $2 }'
echo "$bu" | awk '{ printf "    build alone            %6.2f  %6.2f\n", $1, $2 }'
echo "$bs" | awk '{ printf "    sign alone             %6.2f  %6.2f\n", $1, $2 }'
echo "$vf" | awk '{ printf "    verify alone           %6.2f  %6.2f\n", $1, $2 }'
echo "$st" | awk '{ printf "    build | sign (stream)  %6.2f  %6.2f\n", $1, $2 }'
echo "$sv" | awk '{ printf "    ... | verify --follow  %6.2f  %6.2f  (what the hook runs)\n", $1, $2 }'
floor=$(echo "$f1 $ref" | awk '{ printf "%.2f", $1 + $3 }')
echo "$ki $floor" | awk '{ printf "  add / (one pass + durable copy)  %.2f  (target <= 1.25)\n", $1 / ($3 > 0 ? $3 : 0.01) }'
echo "$ki $ref" | awk '{ printf "  add / durable copy               %.2f\n", $1 / ($3 > 0 ? $3 : 0.01) }'
echo "  no SHA extensions (OPENSSL_ia32cap=$NOSHA):"
echo "$fn" | awk '{ printf "  one SHA-256 pass         %6.2f  %6.2f\n", $1, $2 }'
echo "$kn" | awk '{ printf "  kernel-install add       %6.2f  %6.2f\n", $1, $2 }'
echo "$svn" | awk '{ printf "    build | sign | verify --follow  %6.2f  %6.2f  (what the hook runs)\n", $1, $2 }'
floorn=$(echo "$fn $ref" | awk '{ printf "%.2f", $1 + $3 }')
echo "$kn $floorn" | awk '{ printf "  add / (one pass + durable copy)  %.2f  (target <= 1.25)\n", $1 / ($3 > 0 ? $3 : 0.01) }'
echo "  load average $(cut -d' ' -f1-3 /proc/loadavg), SHA extensions $(bench_sha)"
set -- $ki; kw=$1 kc=$2
set -- $kn; knw=$1 knc=$2
set -- $ref; rw=$1
set -- $f1; hw=$1
set -- $fn; hnw=$1
bench_record hooks "kernel-install add, 142 MiB, wall" "$kw" s "one SHA-256 pass + durable copy" \
	"$floor" "<= 1.25"
bench_record hooks "kernel-install add, 142 MiB, wall" "$kw" s "durable copy (cat + sync)" "$rw" ""
bench_record hooks "kernel-install add, 142 MiB, cpu" "$kc" s "" "" ""
bench_record hooks "one SHA-256 pass, 142 MiB" "$hw" s "durable copy (cat + sync)" "$rw" ""
bench_record hooks "kernel-install add, 142 MiB, no SHA-NI, wall" "$knw" s \
	"one SHA-256 pass + durable copy, no SHA-NI" "$floorn" "<= 1.25"
bench_record hooks "kernel-install add, 142 MiB, no SHA-NI, cpu" "$knc" s "" "" ""
bench_record hooks "one SHA-256 pass, 142 MiB, no SHA-NI" "$hnw" s "durable copy (cat + sync)" "$rw" ""
set -- $svn
bench_record hooks "build | sign | verify --follow alone, 142 MiB, no SHA-NI, wall" "$1" s \
	"one SHA-256 pass, no SHA-NI" "$hnw" ""
bench_record hooks "build | sign | verify --follow alone, 142 MiB, no SHA-NI, cpu" "$2" s "" "" ""
for x in "build:$bu" "sign:$bs" "verify:$vf" "build | sign, streamed,:$st" \
	"build | sign | verify --follow:$sv"; do
	set -- ${x#*:}
	bench_record hooks "${x%%:*} alone, 142 MiB, wall" "$1" s "one SHA-256 pass" "$hw" ""
done
