#!/bin/sh
# No command opens a network socket: a chosen set of the command-line tests
# runs with every igos command under strace -f (socket, socketpair, connect).
# Allowed: AF_UNIX (p11-kit and PKCS#11 modules may talk to a local daemon;
# glibc's nscd lookup) and AF_NETLINK (glibc's interface queries); refused:
# any other family (AF_INET, AF_INET6, AF_PACKET, ...) and any connect to one.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/wrapcmds.sh"
need strace
S=$IGOS_SRC/tests/t
wrap_cmds "$T/wrap" strace "$T/log"
set -- ${NET_TESTS:-$S/10-sign-cli.t $S/14-sign-verify.t $S/16-sign-token.t $S/20-ukify-build.t \
	$S/26-ukify-pcrkey.t $S/45-verity-sign.t $S/51-mok-import.t $S/55-mok-new.t \
	$S/61-index-token.t $S/64-index-check.t $S/72-measure-sign.t $S/80-sbom-cli.t}
res=$(run_scripts "$T/wrap" "$@")
is "$(echo "$res" | grep -v ': ok$')" "" "the tests pass with the commands under strace"
n=$(ls "$T/log" | wc -l)
ok "the commands ran under strace ($n runs)" test "$n" -gt 50
bad=$(cat "$T"/log/* 2>/dev/null | grep -E '^[0-9]+ +(socket|socketpair|connect)\(' |
	grep -vE '\((AF_UNIX|AF_LOCAL|AF_NETLINK)[,)]' | grep -vE '^[0-9]+ +connect\([0-9]+, \{sa_family=(AF_UNIX|AF_LOCAL|AF_NETLINK)' | head -n 5)
is "$bad" "" "no socket or connect of a network family"
unix=$(cat "$T"/log/* 2>/dev/null | grep -cE '(socket|connect)\(.*AF_UNIX' || :)
diag "AF_UNIX socket/connect calls seen: $unix"
# the check does catch a network socket
cat >net.c <<'C'
#include <sys/socket.h>
int main(void) { return socket(AF_INET, SOCK_DGRAM, 0) < 0; }
C
ok "a probe that opens AF_INET builds" cc -o net net.c
strace -f -qq -e trace=socket,connect -o probe.log ./net
ok "the probe's AF_INET socket is seen" grep -q 'socket(AF_INET,' probe.log
done_testing
