#!/bin/sh
# make bench: igos-index-verify verify of a 200,000-entry index against
# openssl dgst -sha256 of it; check of 1,000 packages against sha256sum of
# them; the time of igos-index-sign sign on a SoftHSM2 token.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/softhsm.sh"
. "$TESTLIB/index.sh"
need hyperfine awk sha256sum
. "$TESTLIB/../bench/lib.sh"
softhsm_token
idx_keys >/dev/null
N=${IGOS_BENCH_ENTRIES:-200000}
NPKG=${IGOS_BENCH_PACKAGES:-1000}

# mean SECONDS of a hyperfine CSV export
mean() { awk -F, 'NR == 2 { print $2 }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ms() { awk -v a="$1" 'BEGIN { printf "%.1f ms", a * 1000 }'; }

echo "# igos-index bench: $N-entry index, $NPKG packages ($(nproc) CPUs)"
# A synthetic index: realistic names, sizes and hashes, sorted, unique.
awk -v n="$N" 'BEGIN {
	srand(1); print "igos-index v1"
	for (i = 0; i < n; i++) {
		h = ""
		for (j = 0; j < 8; j++) h = h sprintf("%08x", int(rand() * 4294967296))
		printf "pkg%07d-%d.%d.%d-1-x86_64.pkg.tar.zst %d %s\n", i, i % 13, i % 7, i % 101,
			int(rand() * 50000000), h
	}
}' >big.db
echo "# index: $(wc -c <big.db | tr -d ' ') bytes"
idx_mkcert sub.cert
$SIGN sign --key p256.pem --cert sub.cert --repo core --arch x86_64 --version 1 \
	--now 2026-06-01T12:00:00Z big.db 2>/dev/null
idx_state st core
cp st/core.state seed.state
V="$VERIFY verify --trust master.pub --state st --repo core --arch x86_64 --now 2026-06-02T00:00:00Z big.db"
$V >/dev/null || { echo "Bail out! verify failed"; exit 1; }
hyperfine -N -w 3 -r 20 --prepare "cp seed.state st/core.state" --export-csv v.csv "$V" \
	>/dev/null 2>&1 || hyperfine -w 3 -r 20 --prepare "cp seed.state st/core.state" \
	--export-csv v.csv "$V" >/dev/null
hyperfine -N -w 3 -r 20 --export-csv d.csv "openssl dgst -sha256 big.db" >/dev/null 2>&1 ||
	hyperfine -w 3 -r 20 --export-csv d.csv "openssl dgst -sha256 big.db" >/dev/null
v=$(mean v.csv) d=$(mean d.csv)
echo "verify (accept + parse + atomic state write): $(ms $v)"
echo "openssl dgst -sha256 of the index:            $(ms $d)"
echo "ratio verify / openssl dgst: $(ratio $v $d) (target <= 1.2)"
bench_record index "verify, $N-entry index" "$v" s "openssl dgst -sha256" "$d" "<= 1.2"

# 1,000 packages of 16-112 KiB
mkdir pkgs
i=0
head -c $((NPKG * 128 * 1024)) /dev/urandom >pool
while [ $i -lt "$NPKG" ]; do
	dd if=pool of="pkgs/p-$i.pkg.tar.zst" bs=1024 skip=$((i * 128)) count=$((16 + i % 97)) \
		2>/dev/null
	i=$((i + 1))
done
rm pool
echo "# packages: $(du -sk pkgs | cut -f1) KiB"
$SIGN build -o pk.db pkgs/*
idx_mksig sub.cert pk.db pk.db.sig
idx_state st2 core
$VERIFY verify --trust master.pub --state st2 --repo core --arch x86_64 \
	--now 2026-06-02T00:00:00Z pk.db >/dev/null
C="$VERIFY check --state st2 --repo core pk.db pkgs/*"
hyperfine -w 2 -r 10 --export-csv c.csv "$C" >/dev/null
hyperfine -w 2 -r 10 --export-csv s.csv "sha256sum pkgs/* >/dev/null" >/dev/null
c=$(mean c.csv) s=$(mean s.csv)
echo "check of $NPKG packages: $(ms $c)"
echo "sha256sum of them:       $(ms $s)"
echo "ratio check / sha256sum: $(ratio $c $s)"
bench_record index "check of $NPKG packages" "$c" s sha256sum "$s" ""

# sign on the token: one token operation whatever the index size
for label in p256 ed25519; do
	$SIGN certify --master-key master.pem --subkey "$HSM_URI;object=$label" \
		--pin-file "$HSM_PIN_FILE" --serial 2 --scope "core x86_64" \
		--not-before 2026-01-01T00:00:00Z --not-after 2099-01-01T00:00:00Z -o $label.cert
	for db in pk.db big.db; do
		S="$SIGN sign --key '$HSM_URI;object=$label;type=private' --pin-file $HSM_PIN_FILE --cert $label.cert --repo core --arch x86_64 --version 1 --force -o t.sig $db"
		hyperfine -w 2 -r 10 --export-csv t.csv "$S" >/dev/null
		echo "sign on SoftHSM ($label, $(wc -c <$db | tr -d ' ')-byte index): $(ms $(mean t.csv))"
		bench_record index "sign on SoftHSM, $label, $db" "$(mean t.csv)" s "" "" ""
	done
done
