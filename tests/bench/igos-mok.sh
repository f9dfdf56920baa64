#!/bin/sh
# Benchmark (make bench): igos-mok beside mokutil 0.6.0 on a fake efivarfs
# directory: queueing one certificate with a ready hash, and listing a
# MokListRT of 300 certificates and 300 digests. Mean wall time (hyperfine),
# and the ratio igos-mok/mokutil. igos-mok fsyncs what it writes; mokutil
# (libefivar) does not.
set -eu
. "${IGOS_SRC:-$(cd "${0%/*}/../.." && pwd)}/tests/bench/lib.sh"
SRC=${IGOS_SRC:-$(cd "${0%/*}/../.." && pwd)}
M=${IGOS_BUILD:-$SRC/build}/bin/igos-mok
for c in hyperfine mokutil openssl xxd python3; do
	command -v $c >/dev/null || { echo "bench igos-mok: $c missing (make deps)" >&2; exit 1; }
done
D=$(mktemp -d "${IGOS_BENCH_DIR:-/var/tmp}/igos-mok-bench.XXXXXX")
trap 'rm -rf "$D"' EXIT
cd "$D"
T=$D
. "$SRC/tests/lib/mok.sh"
mkcert c >/dev/null
openssl passwd -6 -salt abcdefgh pw >h
efidir base
# 300 certificates (distinct serials of one key keep it quick) and 300 digests
openssl req -new -key c.key -subj /CN=bench -out c.csr 2>/dev/null
: >big.esl
for i in $(seq 300); do
	openssl x509 -req -in c.csr -signkey c.key -set_serial $i -days 30 -outform DER \
		-out k.der 2>/dev/null
	esl_x509 k.der >>big.esl
done
hashes=$(seq 300 | while read -r i; do printf '%s' "$i" | openssl dgst -sha256 -r | cut -d' ' -f1; done)
# shellcheck disable=SC2086
esl_sha256 $hashes >>big.esl
efidir list
efivar list MokListRT $SHIM_GUID 06000000 <big.esl
[ "$("$M" list --efivars list | wc -l)" = 600 ] || { echo "bench igos-mok: list wrong" >&2; exit 1; }

hyperfine -N -w 3 -r 30 --export-json import.json \
	--prepare "sh -c 'rm -rf d && cp -R base d'" \
	-n igos-mok "$M import --efivars d --hash-file h c.der" \
	-n mokutil "env EFIVARFS_PATH=$D/d/ mokutil --import c.der --hash-file h" >/dev/null
hyperfine -N -w 3 -r 20 --export-json list.json --output=null \
	-n igos-mok "$M list --efivars list" \
	-n mokutil "env EFIVARFS_PATH=$D/list/ mokutil --list-enrolled" >/dev/null
python3 - <<'PY'
import json
for name, what in (("import", "import one certificate (--hash-file)"),
                   ("list", "list 300 certificates + 300 digests")):
    r = {x["command"]: x for x in json.load(open(name + ".json"))["results"]}
    i, m = r["igos-mok"]["mean"], r["mokutil"]["mean"]
    print("%-40s igos-mok %7.2f ms  mokutil %7.2f ms  ratio %.2f" % (what, i * 1e3, m * 1e3, i / m))
    open("rec.tsv", "a").write("%s\t%.3f\tms\tmokutil\t%.3f\t\n" % (what, i * 1e3, m * 1e3))
PY
bench_record_tsv mok rec.tsv
