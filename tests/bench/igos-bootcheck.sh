#!/bin/sh
# Benchmark (make bench): igos-bootcheck on an ESP with shim, GRUB and 10
# signed UKIs of 150 MiB each (a .pcrsig in each, so PCR 11 is predicted too),
# beside one SHA-256 pass over the same files: `openssl dgst -sha256` (the
# same SHA-256 code igos uses, SHA-NI where the CPU has it) and coreutils'
# sha256sum. The goal: at most 1.2 times that pass. Each image is read once;
# its Authenticode hash and, in a second thread, the PCR 11 section digests
# are computed side by side, so the goal needs a second idle core. Mean wall
# time (hyperfine), files in the page cache (warm-up runs); the load average
# is printed, as the ratio means little on a busy machine.
set -eu
. "${IGOS_SRC:-$(cd "${0%/*}/../.." && pwd)}/tests/bench/lib.sh"
SRC=${IGOS_SRC:-$(cd "${0%/*}/../.." && pwd)}
B=${IGOS_BUILD:-$SRC/build}
export PATH="$B/bin:$PATH"
for c in hyperfine sha256sum openssl python3 xxd grub-mkimage; do
	command -v $c >/dev/null || { echo "bench igos-bootcheck: $c missing (make deps)" >&2; exit 1; }
done
D=$(mktemp -d "${IGOS_BENCH_DIR:-/var/tmp}/igos-bootcheck-bench.XXXXXX")
trap 'rm -rf "$D"' EXIT
cd "$D"
T=$D
SHIM_DIR=/usr/lib/shim
IGOS_BUILD=$B
. "$SRC/tests/lib/mok.sh"
. "$SRC/tests/lib/bootcheck.sh"
bc_keys
printf '%s\ngrub,5,Free Software Foundation,grub,2.06,https://www.gnu.org/software/grub/\n' \
	"$SBAT_HDR" >grub5.csv
bc_shim shim.efi keys/vendor.der && bc_sign db shim.signed shim.efi
bc_grub grub.efi grub5.csv && bc_sign vendor grub.signed grub.efi
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out pcr.pem 2>/dev/null && chmod 600 pcr.pem
bc_esp esp shim.signed grub.signed
bc_vars ev
# 150 MiB: the marker as .linux, random data as .initrd
head -c $((150 * 1024 * 1024 - 200 * 1024)) /dev/urandom >initrd.img
for i in 0 1 2 3 4 5 6 7 8 9; do
	# each UKI its own bytes (another .cmdline), none a copy of another
	BC_CMDLINE="console=ttyS0 igos.bench=$i" bc_uki u.efi --initrd initrd.img --pcr-key pcr.pem
	bc_sign db "esp/EFI/Linux/igos-$i.efi" u.efi
	rm u.efi
done
rm initrd.img
igos-bootcheck --esp esp --efivars ev >check.out 2>&1 ||
	{ echo "bench igos-bootcheck: the chain does not pass:" >&2; cat check.out >&2; exit 1; }
files=$(find esp -type f -name '*.[eE][fF][iI]' | sort)
size=$(cat $files | wc -c)
hyperfine -N -w 1 -r 3 --export-json bc.json --output=null \
	-n igos-bootcheck "igos-bootcheck --esp esp --efivars ev" \
	-n openssl "openssl dgst -sha256 $(echo $files)" \
	-n sha256sum "sha256sum $(echo $files)" >/dev/null
python3 - "$size" <<'PY'
import json, os, sys
r = {x["command"]: x for x in json.load(open("bc.json"))["results"]}
b, o, s = (r[k]["mean"] for k in ("igos-bootcheck", "openssl", "sha256sum"))
mib = int(sys.argv[1]) / 2**20
print("ESP: shim, GRUB, 10 UKIs of 150 MiB (%.0f MiB), load average %.1f, %d CPUs" %
      (mib, os.getloadavg()[0], os.cpu_count()))
print("  igos-bootcheck %7.0f ms   openssl dgst -sha256 %7.0f ms   ratio %.2f (goal <= 1.2)" %
      (b * 1e3, o * 1e3, b / o))
print("  %31s sha256sum %7.0f ms   ratio %.2f" % ("", s * 1e3, b / s))
open("rec.tsv", "w").write("ESP of 10 UKIs\t%.2f\tms\topenssl dgst -sha256\t%.2f\t<= 1.2\n" % (b * 1e3, o * 1e3)
                           + "ESP of 10 UKIs\t%.2f\tms\tsha256sum\t%.2f\t\n" % (b * 1e3, s * 1e3))
PY
bench_record_tsv bootcheck rec.tsv
