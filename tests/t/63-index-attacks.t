#!/bin/sh
# The attacks of the spec, each its own case with its exact error line:
# rollback, freeze, equivocation, retired serial, scope and repo/arch
# substitution, untrusted or forged certificates, changed headers, another
# index, size games, over-long validity, corrupt state (fail closed), a clock
# behind the last accepted created. The state changes only on acceptance.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/index.sh"
idx_keys
idx_pkgs 3
$SIGN build -o db pkgs/*
# another index of the same size (same names and sizes, other bytes)
mkdir pkgs2
for f in pkgs/*; do head -c "$(wc -c <"$f")" /dev/urandom >"pkgs2/${f##*/}"; done
$SIGN build -o db2 pkgs2/*
# an older index
$SIGN build -o db.old pkgs/p-1.pkg.tar.zst pkgs/p-2.pkg.tar.zst
idx_mkcert c3.cert
idx_state st core
V="$VERIFY verify --trust master.pub --state st --repo core --arch x86_64"
NOW="--now 2026-06-02T00:00:00Z"
P="igos-index-verify: 'x.sig':"

# unchanged FILE DESC: the state file is byte for byte FILE
unchanged() { same st/core.state "$1" "$2"; }

# what a client accepted before the attacks: version 10
idx_mksig c3.cert db v10.sig
S_VERSION=9 S_CREATED=2026-05-30T00:00:00Z S_EXPIRES=2026-06-06T00:00:00Z \
	idx_mksig c3.cert db.old v9.sig
run 0 "*" "version 9 accepted first" $V $NOW db.old v9.sig
run 0 "*" "then version 10" $V $NOW db v10.sig
cp st/core.state s10
is "$(cat st/core.state)" "igos-index-state v1
repo: core
cert-serial: 3
version: 10
created: 2026-06-01T12:00:00Z
index-sha256: $(openssl dgst -sha256 -r db | cut -c1-64)" "the state records serial, version, created and hash"

run 0 "*" "the same .sig again: no change" $V $NOW db v10.sig
is "$(echo "$OUT" | head -n 1)" "status: unchanged" "reported as unchanged"
unchanged s10 "and the state is as it was"

# rollback: an older valid index and .sig
run 1 "igos-index-verify: 'v9.sig': version 9 is older than the accepted version 10: rollback" \
	"rollback to an older valid index is refused" $V $NOW db.old v9.sig
# freeze: the accepted .sig after it expired, and a newer one that expired
run 1 "igos-index-verify: 'v10.sig': signature expired at 2026-06-08T12:00:00Z (now 2026-06-09T00:00:00Z): frozen index" \
	"freeze: an expired .sig is refused" $V --now 2026-06-09T00:00:00Z db v10.sig
S_VERSION=11 S_CREATED=2026-06-01T13:00:00Z S_EXPIRES=2026-06-02T00:00:00Z idx_mksig c3.cert db x.sig
run 1 "$P signature expired at 2026-06-02T00:00:00Z (now 2026-06-02T00:00:00Z): frozen index" \
	"freeze: a newer version that has expired is refused (expiry is exclusive)" $V $NOW db x.sig
# equivocation: the accepted version with another index
S_VERSION=10 idx_mksig c3.cert db2 x.sig
run 1 "$P version 10 (serial 3) was accepted with another index: equivocation" \
	"equivocation: same version, another index" $V $NOW db2 x.sig
unchanged s10 "no refusal so far changed the state"

# scope and substitution
C_SCOPE="extra x86_64" idx_mkcert cs.cert
S_VERSION=11 idx_mksig cs.cert db x.sig
run 1 "$P subkey scope 'extra x86_64' does not cover repo 'core' arch 'x86_64'" \
	"a subkey for another repo" $V $NOW db x.sig
C_SCOPE="core,extra aarch64" idx_mkcert cs.cert
S_VERSION=11 idx_mksig cs.cert db x.sig
run 1 "$P subkey scope 'core,extra aarch64' does not cover repo 'core' arch 'x86_64'" \
	"a subkey for another arch" $V $NOW db x.sig
C_SCOPE="* *" idx_mkcert call.cert
S_VERSION=11 S_REPO=extra idx_mksig call.cert db x.sig
run 1 "$P signature is for repo 'extra', not 'core'" "repo substitution" $V $NOW db x.sig
S_VERSION=11 S_ARCH=aarch64 idx_mksig call.cert db x.sig
run 1 "$P signature is for arch 'aarch64', not 'x86_64'" "arch substitution" $V $NOW db x.sig

# the certificate chain
C_MASTER_KEY=other.pem C_MASTER_PUB=other.pub idx_mkcert cu.cert
S_VERSION=11 idx_mksig cu.cert db x.sig
run 1 "$P master key $(idx_master_id other.pub) is not trusted" "an unknown master" $V $NOW db x.sig
C_MASTER_KEY=other.pem idx_mkcert cf.cert
S_VERSION=11 idx_mksig cf.cert db x.sig
run 1 "$P bad certificate signature (cert-sig)" "a certificate forged with another key" \
	$V $NOW db x.sig
S_VERSION=11 idx_mksig c3.cert db x.sig
sed -i 's/^cert-scope: .*/cert-scope: * */' x.sig
run 1 "$P bad certificate signature (cert-sig)" "a widened scope breaks the certificate" \
	$V $NOW db x.sig
mkdir trust; cp other.pub master.pub trust/
S_VERSION=11 idx_mksig c3.cert db x.sig
run 0 "*" "a trust directory of several master keys" $VERIFY verify --trust trust --state st \
	--repo core --arch x86_64 --now 2026-06-02T00:00:00Z --max-validity 7d db x.sig
cp st/core.state s11
C_NB=2026-07-01T00:00:00Z idx_mkcert cw.cert
S_VERSION=12 idx_mksig cw.cert db x.sig
run 1 "$P subkey certificate not valid before 2026-07-01T00:00:00Z" "a certificate not yet valid" \
	$V $NOW db x.sig
C_NA=2026-06-01T00:00:00Z idx_mkcert cw.cert
S_VERSION=12 idx_mksig cw.cert db x.sig
run 1 "$P subkey certificate expired at 2026-06-01T00:00:00Z" "an expired certificate" \
	$V $NOW db x.sig
C_SUB=ed.pub idx_mkcert ced.cert
S_VERSION=12 S_KEY=p256.pem idx_mksig c3.cert db x.sig
sed -i 's/^version: 12/version: 13/' x.sig
run 1 "$P bad index signature (sig): bad signature" "a changed header field (version)" \
	$V $NOW db x.sig
S_VERSION=12 idx_mksig c3.cert db x.sig
sed -i 's/^expires: .*/expires: 2026-06-14T12:00:00Z/' x.sig
run 1 "$P bad index signature (sig): bad signature" "a changed header field (expires)" \
	$V $NOW db x.sig
S_VERSION=12 S_KEY=ed.pem idx_mksig ced.cert db x.sig
sed -i "s|^cert-pubkey: .*|$(grep '^cert-pubkey' c3.cert)|; s|^cert-alg: .*|cert-alg: ecdsa-p256-sha256|" x.sig
run 1 "$P bad certificate signature (cert-sig)" "another subkey swapped into a certificate" \
	$V $NOW db x.sig

# the index against the signature
S_VERSION=12 idx_mksig c3.cert db x.sig
run 1 "igos-index-verify: index 'db2' does not match the signature (SHA-256 differs)" \
	"a valid .sig with another index of the same size" $V $NOW db2 x.sig
sz=$(wc -c <db | tr -d ' ')
head -c $((sz - 1)) db >short.db
run 1 "igos-index-verify: index 'short.db' is shorter than the signed $sz bytes" "a short index" \
	$V $NOW short.db x.sig
{ cat db; echo "evil 1 $(printf '%064d' 0)"; } >long.db
run 1 "igos-index-verify: index 'long.db' is longer than the signed $sz bytes" "a long index" \
	$V $NOW long.db x.sig
run 1 "igos-index-verify: index '-' is longer than the signed $sz bytes" \
	"an endless download is cut at index-size + 1 bytes" \
	sh -c "{ cat db; yes; } | $V $NOW - x.sig"
run 1 "igos-index-verify: index '-' is shorter than the signed $sz bytes" "a short download" \
	sh -c "head -c 100 db | $V $NOW - x.sig"
run 0 "*" "the index on stdin" sh -c "cat db | $V $NOW - x.sig"
cp st/core.state s12

# validity policy
S_VERSION=13 S_CREATED=2026-06-01T12:00:00Z S_EXPIRES=2026-06-16T12:00:00Z idx_mksig c3.cert db x.sig
run 1 "$P signature validity 15d exceeds the maximum 14d" "an over-long validity" $V $NOW db x.sig
run 1 "$P signature validity 15d exceeds the maximum 7d" "--max-validity 7d" \
	$V $NOW --max-validity 7d db x.sig
S_VERSION=13 S_CREATED=2026-06-01T12:00:00Z S_EXPIRES=2026-06-01T12:00:00Z idx_mksig c3.cert db x.sig
run 1 "$P signature expires before it was created" "expires = created" $V $NOW db x.sig
unchanged s12 "no refusal changed the state"

# corrupt state: fail closed, even for a valid .sig
S_VERSION=13 idx_mksig c3.cert db x.sig
sed 's/^version: 12/version: twelve/' s12 >st/core.state
run 1 "igos-index-verify: corrupt state file 'st/core.state': line 4: invalid number 'twelve'" \
	"a corrupt state file" $V $NOW db x.sig
head -c 40 s12 >st/core.state
run 1 "igos-index-verify: corrupt state file 'st/core.state': truncated state file: no newline at the end of line 3" \
	"a truncated state file" $V $NOW db x.sig
: >st/core.state
run 1 "igos-index-verify: corrupt state file 'st/core.state': empty state file" \
	"an empty state file" $V $NOW db x.sig
sed 's/^repo: core/repo: extra/' s12 >st/core.state
run 1 "igos-index-verify: corrupt state file 'st/core.state': it is for repo 'extra', not 'core'" \
	"the state of another repo" $V $NOW db x.sig
sed 's/^index-sha256: ./index-sha256: /' s12 >st/core.state
run 1 "igos-index-verify: corrupt state file 'st/core.state': line 6: wrong length of a hex value" \
	"a state hash of the wrong length" $V $NOW db x.sig
rm st/core.state
run 1 "igos-index-verify: cannot open 'st/core.state': No such file or directory" \
	"no state: no trust on first use" $V $NOW db x.sig
ok "and no state file is made" test ! -e st/core.state
cp s12 st/core.state

# a clock behind the last accepted created: that created is the floor
S_VERSION=13 S_CREATED=2026-05-20T00:00:00Z S_EXPIRES=2026-05-27T00:00:00Z idx_mksig c3.cert db x.sig
run 1 "$P signature expired at 2026-05-27T00:00:00Z (now 2026-06-01T12:00:00Z): frozen index" \
	"clock behind the last created: the old .sig is expired against the floor" \
	$V --now 2026-05-21T00:00:00Z db x.sig
S_VERSION=13 S_CREATED=2026-06-05T00:00:00Z S_EXPIRES=2026-06-12T00:00:00Z idx_mksig c3.cert db x.sig
run 0 "*" "a clock reset to 1970 still accepts a fresh index" $V --now 1970-01-01T00:00:00Z db x.sig
S_VERSION=14 S_CREATED=2026-07-01T00:00:00Z S_EXPIRES=2026-07-08T00:00:00Z idx_mksig c3.cert db x.sig
run 0 "*" "a created in the future is not refused (clock skew)" $V --now 2026-06-06T00:00:00Z db x.sig
is "$OUT" "status: accepted
repo: core
arch: x86_64
version: 14
created: 2026-07-01T00:00:00Z
expires: 2026-07-08T00:00:00Z
cert-serial: 3
packages: 3" "verify prints what it accepted"

# retired serial: a new subkey (serial 4) retires serial 3
C_SUB=ed.pub C_SERIAL=4 idx_mkcert c4.cert
S_VERSION=1 S_KEY=ed.pem S_CREATED=2026-07-02T00:00:00Z S_EXPIRES=2026-07-09T00:00:00Z \
	idx_mksig c4.cert db x.sig
run 0 "*" "serial 4 accepted (versions may restart with a new serial)" $V --now 2026-07-02T00:00:00Z db x.sig
S_VERSION=15 S_CREATED=2026-07-02T00:00:00Z S_EXPIRES=2026-07-09T00:00:00Z idx_mksig c3.cert db x.sig
run 1 "$P subkey serial 3 is retired (serial 4 accepted)" "a retired subkey serial" \
	$V --now 2026-07-02T00:00:00Z db x.sig
is "$(sed -n 's/^cert-serial: //p' st/core.state) $(sed -n 's/^version: //p' st/core.state)" \
	"4 1" "the state holds serial 4 version 1"
no_temps st "no temporary file left in the state directory"
done_testing
