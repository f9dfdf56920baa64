#!/bin/sh
# Seed corpus for one fuzz target, made from real files on this machine
# (Debian packages), never committed: corpus.sh TARGET DIR
set -eu
name=$1 dir=$2
[ -n "$(ls -A "$dir" 2>/dev/null)" ] && exit 0
case $name in
fuzz-pe)
	for f in /usr/lib/systemd/boot/efi/linuxx64.efi.stub /usr/lib/shim/shimx64.efi \
		/usr/lib/shim/mmx64.efi /usr/lib/systemd/boot/efi/systemd-bootx64.efi; do
		[ -f "$f" ] && head -c 65536 "$f" >"$dir/${f##*/}"
	done ;;
fuzz-encode)
	printf 'Zm9vYmFy' >"$dir/b64"; printf '00abff' >"$dir/hex" ;;
esac
exit 0
