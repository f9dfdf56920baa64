#!/bin/sh
# Benchmark (make bench): one UKI signing with igos-sign, the key in the TPM
# (a TSS2 key file, swtpm) against the same with a PEM key. The difference is
# the TPM's part alone: TCTI, storage primary key, salted session, load, sign,
# flush. swtpm here has no resource manager (the machine's /dev/tpmrm0 adds
# its own cost, a hardware TPM much more: primary key creation above all).
set -eu
. "${IGOS_SRC:-$(cd "${0%/*}/../.." && pwd)}/tests/bench/lib.sh"
SRC=${IGOS_SRC:-$(cd "${0%/*}/../.." && pwd)}
BIN=${IGOS_BUILD:-$SRC/build}/bin
RUNS=${IGOS_BENCH_RUNS:-30}
for c in swtpm hyperfine python3; do
	command -v $c >/dev/null || { echo "bench tpm: $c missing (make deps)" >&2; exit 1; }
done
D=$(mktemp -d "${IGOS_BENCH_DIR:-/var/tmp}/igos-tpm-bench.XXXXXX")
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$D"' EXIT
cd "$D"
mkdir tpm
port=$(( 40000 + ($$ % 5000) * 2 ))
swtpm socket --tpm2 --flags startup-clear,not-need-init --tpmstate dir="$D/tpm" \
	--server type=tcp,port=$port,bindaddr=127.0.0.1 \
	--ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 --pid file="$D/tpm/pid" --daemon
PID=$(cat tpm/pid)
TCTI=swtpm:host=127.0.0.1,port=$port

"$BIN/igos-mok" new --tpm --tcti "$TCTI" -k tpm.pem -c tpm.crt --subject bench >/dev/null
"$BIN/igos-mok" new -k file.pem -c file.crt --subject bench >/dev/null
head -c $((12 * 1024 * 1024)) /dev/urandom >vmlinuz
"$BIN/igos-ukify" build --stub "${IGOS_BUILD:-$SRC/build}/efi/igos-stubx64.efi" --linux vmlinuz \
	--uname 6.1.0-bench --cmdline quiet -o uki.efi
cat uki.efi >/dev/null

hyperfine -N --style basic --warmup 3 --runs "$RUNS" --export-json times.json \
	-n "PEM key" "$BIN/igos-sign sign -k file.pem -c file.crt -o out-file.efi uki.efi" \
	-n "TPM key (swtpm)" "$BIN/igos-sign sign --tcti $TCTI -k tpm.pem -c tpm.crt -o out-tpm.efi uki.efi" \
	>/dev/null
"$BIN/igos-sign" verify -c tpm.crt out-tpm.efi >/dev/null
python3 - times.json "$(stat -c %s uki.efi)" <<'P'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
med = {x["command"]: x["median"] * 1000 for x in r}
pem, tpm = med["PEM key"], med["TPM key (swtpm)"]
print("igos-sign sign, one UKI of %.1f MiB, median of %d runs (ms)" % (int(sys.argv[2]) / 2**20, len(r[0]["times"])))
print("%-28s %8.1f" % ("PEM key", pem))
print("%-28s %8.1f" % ("TPM key (swtpm)", tpm))
print("%-28s %8.1f (TCTI, primary key, salted session, load, sign, flush)" % ("difference: the TPM's part", tpm - pem))
open("rec.tsv", "w").write("sign with a TPM key (swtpm)\t%.2f\tms\tPEM key\t%.2f\t\n" % (tpm, pem))
P
bench_record_tsv tpm rec.tsv
