#!/bin/sh
# igos-index-verify when the system fails it (tests/lib/faultinject.c, which
# fails the n-th read, fstat or flock): a state directory on a filesystem
# without locks, a disk that fails a read of a package, a package that cannot
# be stat'ed. Each is a one-line error and exit 1, the state untouched, never
# a verdict taken on data that was not read.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/index.sh"
. "$TESTLIB/fault.sh"
idx_keys
idx_pkgs 2
$SIGN build -o db pkgs/*
idx_mkcert c.cert
idx_mksig c.cert db db.sig
idx_state st core
cp st/core.state st.before
V="$VERIFY verify --trust master.pub --state st --repo core --arch x86_64 --now 2026-06-02T00:00:00Z"
C="$VERIFY check --state st --repo core"
P="igos-index-verify:"
pkg=pkgs/p-1.pkg.tar.zst

# fail_at CALL N ERRNO CMD...: CMD with the N-th counted CALL failing with ERRNO
fail_at() {
	_c=$1 _n=$2 _e=$3; shift 3
	env LD_PRELOAD="$FI" FAULT_CALLS="$_c" FAULT_N="$_n" FAULT_ERRNO="$_e" "$@"
}
# calls CALL CMD...: how many CALLs CMD makes that the shim can fail
calls() {
	_c=$1; shift
	rm -f "$T/calls"
	env LD_PRELOAD="$FI" FAULT_CALLS="$_c" FAULT_LOG="$T/calls" "$@" >/dev/null 2>&1
	cut -d' ' -f1 "$T/calls"
}

# ---- locks ----
run 1 "$P cannot lock 'st': No locks available" \
	"verify on a state directory that cannot be locked fails" fail_at flock 1 ENOLCK $V db db.sig
is "$OUT" "" "and prints no status"
same st/core.state st.before "the state is untouched"
run 1 "$P cannot lock 'in': No locks available" \
	"init in a directory that cannot be locked fails" fail_at flock 1 ENOLCK $VERIFY init --state in --repo core
ok "and writes no state" test ! -e in/core.state

# ---- a trust directory that cannot be listed ----
mkdir tr
cp master.pub tr/k.pem
run 1 "$P cannot open 'tr': Too many open files" \
	"verify with a trust directory that cannot be opened fails" \
	fail_at opendir 1 EMFILE $VERIFY verify --trust tr --state st --repo core --arch x86_64 db db.sig
same st/core.state st.before "the state is untouched"

run 0 "*" "verify accepts the index (no fault)" $V db db.sig

# ---- reading a package ----
# the package's reads come last: its data, then the read that finds its end
n=$(calls read $C db $pkg)
run 1 "$P cannot read '$pkg': Input/output error" \
	"check of a package whose read fails: exit 1, that error" fail_at read $((n - 1)) EIO $C db $pkg
run 1 "$P cannot read '$pkg': Input/output error" \
	"a read that fails at the end of the package too" fail_at read "$n" EIO $C db $pkg
run 1 "$P cannot read 'pkgs/p-2.pkg.tar.zst': Input/output error" \
	"with two packages, only the one whose read failed is named" \
	fail_at read $((n + 1)) EIO $C db $pkg pkgs/p-2.pkg.tar.zst
run 0 "" "and both check without the fault" $C db $pkg pkgs/p-2.pkg.tar.zst

# ---- stat of a package ----
n=$(calls fstat $C db $pkg)
run 1 "$P cannot stat '$pkg': Input/output error" \
	"check of a package that cannot be stat'ed fails" fail_at fstat "$n" EIO $C db $pkg

# ---- an OpenSSL that cannot hash ----
# a configuration whose only provider is the null one (a broken FIPS setup
# looks the same): check says so, rather than that the index is another one
cat >null.cnf <<'CNF'
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
null = null_sect
[null_sect]
activate = 1
CNF
run 1 "*" "check with an OpenSSL that has no SHA-256 fails" env OPENSSL_CONF="$PWD/null.cnf" $C db $pkg
case $ERR in
"$P digest failed"*) ok "naming the digest" true ;;
*) ok "naming the digest ($ERR)" false ;;
esac
done_testing
