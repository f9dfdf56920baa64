#!/bin/sh
# check: packages against the accepted index only; malformed indexes that
# carry a valid signature are refused by verify before any state is written;
# trust anchors that are not usable master keys are errors.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/index.sh"
need sha256sum
idx_keys
idx_pkgs 5
$SIGN build -o db pkgs/*
idx_mkcert c.cert
# init seeds the state the man page describes (idx_state writes it by hand)
run 0 "" "init: a fresh state, its directory made" $VERIFY init --trust master.pub \
	--state var/lib/st --repo core
idx_state ref core
same var/lib/st/core.state ref/core.state "init writes the seed that accepts a first index"
mv var/lib/st st
V="$VERIFY verify --trust master.pub --state st --repo core --arch x86_64 --now 2026-06-02T00:00:00Z"
C="$VERIFY check --state st --repo core"
H=$(printf '%064d' 0)

run 1 "igos-index-verify: index 'db' is not the one accepted for repo 'core'" \
	"check before any index was accepted" $C db pkgs/p-1.pkg.tar.zst
idx_mksig c.cert db db.sig
run 0 "*" "verify" $V db
run 0 "" "check: all five packages" $C db pkgs/*
run 0 "" "check: a package through a relative path" sh -c "cd pkgs && $VERIFY check --state ../st --repo core ../db p-3.pkg.tar.zst"
$SIGN build -o db2 pkgs/p-1.pkg.tar.zst
run 1 "igos-index-verify: index 'db2' is not the one accepted for repo 'core'" \
	"check refuses an index the state did not accept" $C db2 pkgs/p-1.pkg.tar.zst
run 1 "igos-index-verify: cannot open 'st/extra.state': No such file or directory" \
	"check of a repo without state" $VERIFY check --state st --repo extra db pkgs/p-1.pkg.tar.zst
mkdir bad
cp pkgs/p-1.pkg.tar.zst bad/; printf 'Z' | dd of=bad/p-1.pkg.tar.zst bs=1 seek=0 conv=notrunc 2>/dev/null
run 1 "igos-index-verify: 'bad/p-1.pkg.tar.zst': SHA-256 does not match the index" \
	"a package with another hash" $C db bad/p-1.pkg.tar.zst
head -c 10 pkgs/p-2.pkg.tar.zst >bad/p-2.pkg.tar.zst
run 1 "igos-index-verify: 'bad/p-2.pkg.tar.zst': size 10, the index says $(wc -c <pkgs/p-2.pkg.tar.zst | tr -d ' ')" \
	"a truncated package" $C db bad/p-2.pkg.tar.zst
cp pkgs/p-3.pkg.tar.zst bad/p-3.PKG.tar.zst
run 1 "igos-index-verify: 'bad/p-3.PKG.tar.zst': not in the index" "an unlisted name" \
	$C db bad/p-3.PKG.tar.zst
run 1 "igos-index-verify: cannot open 'bad/p-5.pkg.tar.zst': No such file or directory" \
	"a listed name that does not exist" $C db bad/p-5.pkg.tar.zst
mkdir -p bad/dir/p-5.pkg.tar.zst
run 1 "igos-index-verify: 'bad/dir/p-5.pkg.tar.zst': not a regular file" "a directory" \
	$C db bad/dir/p-5.pkg.tar.zst
mkfifo bad/p-4.pkg.tar.zst
run 1 "igos-index-verify: 'bad/p-4.pkg.tar.zst': not a regular file" "a FIFO is not hashed" \
	$C db bad/p-4.pkg.tar.zst
cp st/core.state s.ok

# malformed indexes with a valid signature: verify refuses, the state stays
n=10
bad_index() { # DESC 'error' CONTENT
	n=$((n + 1))
	printf '%s' "$3" >bad.db
	S_VERSION=$n idx_mksig c.cert bad.db bad.db.sig
	run 1 "igos-index-verify: bad index 'bad.db': $2" "$1" $V bad.db
}
bad_index "duplicate entries" "index line 3: duplicate entry 'a.pkg'" \
	"igos-index v1
a.pkg 1 $H
a.pkg 1 $H
"
bad_index "unsorted entries" "index line 3: entry out of order 'a.pkg'" \
	"igos-index v1
b.pkg 1 $H
a.pkg 1 $H
"
bad_index "a '/' in a name" "index line 2: bad file name" \
	"igos-index v1
../etc/passwd 1 $H
"
bad_index "'..' in a name" "index line 2: forbidden file name 'a..pkg'" \
	"igos-index v1
a..pkg 1 $H
"
bad_index "a hidden name" "index line 2: forbidden file name '.pkg'" \
	"igos-index v1
.pkg 1 $H
"
bad_index "a size with a leading zero" "index line 2: bad size" \
	"igos-index v1
a.pkg 01 $H
"
bad_index "a short hash" "index line 2: bad SHA-256 (want 64 lowercase hex)" \
	"igos-index v1
a.pkg 1 ${H%0}
b.pkg 1 $H
"
bad_index "uppercase hash" "index line 2: bad SHA-256 (want 64 lowercase hex)" \
	"igos-index v1
a.pkg 1 $(printf '%064d' 0 | tr 0 A)
"
bad_index "a missing final newline" "index line 2: truncated line" \
	"igos-index v1
a.pkg 1 $H"
printf 'igos-index v1\r\na 1 %s\n' "$H" >bad.db; S_VERSION=30 idx_mksig c.cert bad.db bad.db.sig
run 1 "igos-index-verify: bad index 'bad.db': index line 1: bad magic (not 'igos-index v1')" \
	"a CR in the magic line" $V bad.db
printf 'igos-index v1\na 1 %s\r\n' "$H" >bad.db; S_VERSION=31 idx_mksig c.cert bad.db bad.db.sig
run 1 "igos-index-verify: bad index 'bad.db': index line 2: trailing data" "CRLF entry" $V bad.db
same st/core.state s.ok "no malformed index changed the state"
# the index is parsed only after the .sig checks: a refused .sig never
# exposes the parser, whatever the index holds
head -c 5000 /dev/urandom >junk.db
S_VERSION=1 idx_mksig c.cert junk.db junk.db.sig
run 1 "igos-index-verify: 'junk.db.sig': version 1 is older than the accepted version 10: rollback" \
	"a rolled-back .sig over junk: refused before the index is read" $V junk.db
S_VERSION=40 S_EXPIRES=2026-06-01T13:00:00Z idx_mksig c.cert junk.db junk.db.sig
run 1 "igos-index-verify: 'junk.db.sig': signature expired at 2026-06-01T13:00:00Z (now 2026-06-02T00:00:00Z): frozen index" \
	"an expired .sig over junk: refused before the index is read" $V junk.db
S_VERSION=40 S_SIZE=5001 idx_mksig c.cert junk.db junk.db.sig
run 1 "igos-index-verify: index 'junk.db' is shorter than the signed 5001 bytes" \
	"a size mismatch: refused before the index is hashed or parsed" $V junk.db
S_VERSION=40 idx_mksig c.cert junk.db junk.db.sig
run 1 "igos-index-verify: bad index 'junk.db': index line 1: bad magic (not 'igos-index v1')" \
	"a valid .sig over junk: the parser refuses it, last" $V junk.db
same st/core.state s.ok "and the state is unchanged"

# trust anchors
run 1 "igos-index-verify: cannot open 'none.pub': No such file or directory" "a missing trust file" \
	$VERIFY verify --trust none.pub --state st --repo core --arch x86_64 db
mkdir empty
run 1 "igos-index-verify: no trusted master keys (*.pem, *.pub) in 'empty'" "an empty trust directory" \
	$VERIFY verify --trust empty --state st --repo core --arch x86_64 db
run 1 "igos-index-verify: 'p256.pub': the master key must be Ed25519" "a P-256 key as master" \
	$VERIFY verify --trust p256.pub --state st --repo core --arch x86_64 db
run 1 "igos-index-verify: 'db' is not a PEM public key" "a trust file that is not a key" \
	$VERIFY verify --trust db --state st --repo core --arch x86_64 db
run 1 "igos-index-verify: 'st/core.state' exists: a state is never replaced (it stops rollbacks)" \
	"init refuses to overwrite an accepted state" $VERIFY init --state st --repo core
same st/core.state s.ok "which is unchanged"
run 1 "igos-index-verify: 'p256.pub': the master key must be Ed25519" \
	"init checks the trust anchors verify will use" $VERIFY init --trust p256.pub \
	--state st2 --repo core
ok "and writes no state" test ! -e st2/core.state
run 2 "igos-index-verify: init needs --state and --repo" "init without --repo" \
	$VERIFY init --state st2
done_testing
