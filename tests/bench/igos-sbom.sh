#!/bin/sh
# igos-sbom beside its peers: the SBOM of a shim-like build with a 256 MiB
# source tarball costs about what sha1sum and sha256sum over the same files do
# (the document itself is noise). Prints the ratio.
set -eu
. "${IGOS_SRC:-$(cd "${0%/*}/../.." && pwd)}/tests/bench/lib.sh"
command -v hyperfine >/dev/null || { echo "igos-sbom bench: hyperfine missing (make deps)"; exit 0; }
d=$(mktemp -d "${TMPDIR:-/tmp}/igos-bench.XXXXXX")
trap 'rm -rf "$d"' EXIT
cd "$d"
head -c 268435456 /dev/urandom > src-1.0.tar
cp /usr/lib/shim/shimx64.efi . 2>/dev/null || head -c 1000000 /dev/urandom > shimx64.efi
printf 'patch\n' > 0001.patch; printf 'cert\n' > vendor.der
export SOURCE_DATE_EPOCH=1700000000
hyperfine -N --warmup 1 --runs 5 --export-json bench.json \
	-n igos-sbom "igos-sbom --name shim --package-version 16.1 --source src-1.0.tar --patch 0001.patch --input vendor.der --artifact shimx64.efi -o out.json" \
	-n 'sha1sum+sha256sum' "sh -c 'sha1sum src-1.0.tar 0001.patch vendor.der shimx64.efi; sha256sum src-1.0.tar 0001.patch vendor.der shimx64.efi'" \
	>/dev/null
python3 -c '
import json
r = {x["command"]: x["mean"] for x in json.load(open("bench.json"))["results"]}
a, b = r["igos-sbom"], r["sha1sum+sha256sum"]
print("igos-sbom %.3f s, sha1sum+sha256sum %.3f s over 256 MiB + shim: ratio %.2f" % (a, b, a / b))
open("rec.tsv", "w").write("256 MiB source + shim\t%.4f\ts\tsha1sum+sha256sum\t%.4f\t\n" % (a, b))'
bench_record_tsv sbom rec.tsv
