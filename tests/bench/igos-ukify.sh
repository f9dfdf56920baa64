#!/bin/sh
# make bench: igos-ukify build of a 14 MB kernel + 256 MiB initrd side by side
# with a durable copy of the same bytes (cat + sync), a plain copy, and
# objcopy --add-section; also systemd's ukify when $UKIFY names a copy of
# ukify.py (never part of this tree). Wall and CPU seconds, peak RSS.
set -eu
. "${IGOS_SRC:-$(cd "${0%/*}/../.." && pwd)}/tests/bench/lib.sh"
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
RUNS=${RUNS:-3}
TIME=/usr/bin/time
for c in igos-ukify objcopy "$TIME"; do
	command -v "$c" >/dev/null || { echo "bench: $c missing (make deps)"; exit 1; }
done
[ -f "$STUB" ] || { echo "bench: $STUB missing (make deps)"; exit 1; }
W=$(mktemp -d "${TMPDIR:-/var/tmp}/igos-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
cd "$W"

k=""
for f in "${IGOS_CACHE:-$HOME/.cache/igos-tests}"/kernel/*/boot/vmlinuz-*; do [ -f "$f" ] && k=$f; done
if [ -n "$k" ]; then cp "$k" vmlinuz; else head -c 14000000 /dev/urandom >vmlinuz; fi
head -c $((256 << 20)) /dev/urandom >initrd
head -c $((16 << 20)) /dev/urandom >initrd16
printf 'ID=bench\n' >osrel
echo "# igos-ukify: kernel $(wc -c <vmlinuz) bytes, initrd $(wc -c <initrd) bytes, best of $RUNS runs"

calc() { awk "BEGIN { print $1 }"; }

# measure NAME CMD...: best wall time of RUNS; CPU and RSS of that run
measure() {
	_name=$1; shift
	_best=""
	_i=0
	while [ $_i -lt "$RUNS" ]; do
		rm -f out.efi
		sync
		"$TIME" -f '%e %U %S %M' -o t.txt "$@" >/dev/null 2>err.txt || {
			echo "bench: $_name failed: $(tail -n 2 err.txt)"; exit 1; }
		read -r _e _u _s _m <t.txt
		if [ -z "$_best" ] || [ "$(calc "$_e < $_best")" = 1 ]; then
			_best=$_e; _cpu=$(calc "$_u + $_s"); _rss=$_m
		fi
		_i=$((_i + 1))
	done
	printf '%-34s wall %6.2f s  cpu %6.2f s  rss %7d KiB\n' "$_name" "$_best" "$_cpu" "$_rss"
	LAST_W=$_best LAST_C=$_cpu LAST_R=$_rss
}

measure "igos-ukify build (durable)" igos-ukify build --stub "$STUB" --linux vmlinuz \
	--initrd initrd --os-release @osrel --cmdline quiet --uname 6.1 -o out.efi
IW=$LAST_W IC=$LAST_C IR=$LAST_R
measure "cat kernel initrd > out; sync out" sh -c 'cat vmlinuz initrd >out.efi && sync out.efi'
DW=$LAST_W
measure "cat kernel initrd > out (plain)" sh -c 'cat vmlinuz initrd >out.efi'
PC=$LAST_C
measure "objcopy --add-section" objcopy --add-section .osrel=osrel \
	--change-section-vma .osrel=0x20000 --add-section .linux=vmlinuz \
	--change-section-vma .linux=0x30000 --add-section .initrd=initrd \
	--change-section-vma .initrd=0x2000000 "$STUB" out.efi
OW=$LAST_W OR=$LAST_R
measure "igos-ukify build -o - (pipe)" sh -c "igos-ukify build --stub $STUB --linux vmlinuz \
	--initrd initrd --os-release @osrel --cmdline quiet --uname 6.1 -o - | cat >out.efi"
measure "igos-ukify build, 16 MiB initrd" igos-ukify build --stub "$STUB" --linux vmlinuz \
	--initrd initrd16 --os-release @osrel --cmdline quiet --uname 6.1 -o out.efi
SR=$LAST_R
if [ -n "${UKIFY:-}" ] && [ -f "$UKIFY" ]; then
	measure "systemd ukify.py build" /usr/bin/python3 "$UKIFY" build --stub "$STUB" \
		--linux vmlinuz --initrd initrd --os-release @osrel --cmdline quiet --uname 6.1 \
		-o out.efi
	UW=$LAST_W
	printf 'ratio wall ukify.py / igos-ukify      %.2f\n' "$(calc "$UW / $IW")"
fi
bench_record ukify "build 256 MiB initrd, wall" "$IW" s "cat + sync" "$DW" "<= 1.3"
bench_record ukify "build 256 MiB initrd, cpu" "$IC" s "cat (plain)" "$(calc "$PC + 0.01")" "<= 1.5"
bench_record ukify "build 256 MiB initrd, wall" "$IW" s "objcopy --add-section" "$OW" ""
bench_record ukify "build, peak RSS" "$((IR / 1024))" MiB "the same, 16 MiB initrd" "$((SR / 1024))" ""
printf 'ratio wall igos-ukify / durable copy  %.2f (target <= 1.3)\n' "$(calc "$IW / $DW")"
printf 'ratio cpu  igos-ukify / plain copy    %.2f (target <= 1.5)\n' \
	"$(calc "$IC / ($PC + 0.01)")"
printf 'ratio wall objcopy / igos-ukify       %.2f\n' "$(calc "$OW / $IW")"
printf 'rss igos-ukify 256 MiB vs 16 MiB initrd: %d vs %d KiB (objcopy: %d KiB)\n' "$IR" "$SR" "$OR"
