#!/bin/sh
# check and verify judge the index they use: a writer that flips a package's
# hash in the index while `check` runs must never get a package accepted whose
# hash is not in the accepted index (the index is read once into private
# memory; a shared or private mapping would show the new bytes after the hash
# comparison).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/index.sh"
need python3 sha256sum
plan 6
idx_keys
idx_pkgs 3
$SIGN build -o db pkgs/*
idx_mkcert c.cert
idx_state st core
idx_mksig c.cert db db.sig
V="$VERIFY verify --trust master.pub --state st --repo core --arch x86_64 --now 2026-06-02T00:00:00Z"
run 0 "*" "verify accepts the index" $V db

# the attacker's package: same name and size as p-1, other bytes
mkdir evil
head -c "$(wc -c <pkgs/p-1.pkg.tar.zst)" /dev/urandom >evil/p-1.pkg.tar.zst
good=$(sha256sum pkgs/p-1.pkg.tar.zst | cut -c1-64)
bad=$(sha256sum evil/p-1.pkg.tar.zst | cut -c1-64)
off=$(grep -bo "$good" db | cut -d: -f1)
cat >flip.py <<'EOF'
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
off, a, b = int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4].encode()
while True:
    os.pwrite(fd, b, off)
    os.pwrite(fd, a, off)
EOF

# race: 200 checks of the evil package against a flipping index
race() { # VERB-COMMAND...: counts into acc, stale, mism
	acc=0 stale=0 mism=0
	python3 flip.py db "$off" "$good" "$bad" &
	fp=$!
	i=0
	while [ $i -lt 200 ]; do
		if "$@" >/dev/null 2>e; then
			acc=$((acc + 1))
		elif grep -q "is not the one accepted\|does not match the signature" e; then
			stale=$((stale + 1))
		elif grep -q "SHA-256 does not match the index" e; then
			mism=$((mism + 1))
		else
			diag "$(cat e)"
		fi
		i=$((i + 1))
	done
	kill "$fp"
	wait "$fp" 2>/dev/null
	printf '%s' "$good" | dd of=db bs=1 seek="$off" conv=notrunc 2>/dev/null
}
race $VERIFY check --state st --repo core db evil/p-1.pkg.tar.zst
is "$acc" 0 "check: no acceptance of a hash not in the accepted index in 200 runs"
ok "check: the writer did race (some runs saw a changed index: $stale)" test "$stale" -gt 0
ok "check: the other runs judged the accepted index ($mism refused on the hash, $acc accepted)" \
	test $((stale + mism + acc)) -eq 200
run 0 "" "check: the untouched index still checks the good package" \
	$VERIFY check --state st --repo core db pkgs/p-1.pkg.tar.zst
run 1 "igos-index-verify: 'evil/p-1.pkg.tar.zst': SHA-256 does not match the index" \
	"check: and refuses the evil one" $VERIFY check --state st --repo core db evil/p-1.pkg.tar.zst
done_testing
