#!/bin/sh
# igos-index-verify at the edges make mutate found unjudged: which files of a
# trust directory are keys and how many may be, what init creates and refuses,
# each missing option, the index size at the limit of what is read, a master
# id of zeros, a stdin that is closed and a stdout that is full, and packages
# whose size stat reports wrongly (procfs, sysfs).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/index.sh"
need sha256sum
idx_keys
idx_pkgs 2
$SIGN build -o db pkgs/*
idx_mkcert c.cert
idx_mksig c.cert db db.sig
H=$(printf '%064d' 0)
V0="$VERIFY verify --state st --repo core --arch x86_64 --now 2026-06-02T00:00:00Z"
V="$V0 --trust master.pub"
P="igos-index-verify:"

# ---- the trust directory ----
mkdir tr
cp master.pub tr/k.pem
echo "not a key" >tr/README
cp db tr/.hidden.pem
cp db tr/k.pem.bak
idx_state st core
run 0 "*" "a trust directory: a 5-byte k.pem taken; README, dotfiles and *.bak skipped" \
	$V0 --trust tr db db.sig
mkdir tr3
ln -s nowhere tr3/gone.pem
run 1 "$P cannot open 'tr3/gone.pem': No such file or directory" \
	"a dangling link in the trust directory" $V0 --trust tr3 db db.sig
mkdir t64 t65 t66
i=1
while [ $i -le 66 ]; do
	[ $i -le 64 ] && cp master.pub t64/k$i.pub
	[ $i -le 65 ] && cp master.pub t65/k$i.pub
	cp master.pub t66/k$i.pub
	i=$((i + 1))
done
run 0 "*" "64 trusted master keys" $V0 --trust t64 db db.sig
run 1 "$P more than 64 trusted master keys" "65 are too many" $V0 --trust t65 db db.sig
run 1 "$P more than 64 trusted master keys in 't66'" "66: refused while listing" \
	$V0 --trust t66 db db.sig

# ---- init ----
mkdir fresh
run 0 "" "init makes each missing directory of --state" \
	sh -c "cd fresh && $VERIFY init --state var/lib/idx --repo core"
is "$(cd fresh && find . | sort | tr '\n' ' ')" ". ./var ./var/lib ./var/lib/idx ./var/lib/idx/core.state " \
	"and nothing else"
run 0 "" "init under an absolute path" $VERIFY init --state "$PWD/abs/st" --repo core
ok "its state is there" test -f abs/st/core.state
mkdir st2
run 0 "" "init in an existing directory, 64 trusted keys checked" \
	$VERIFY init --state st2 --repo core --trust t64
run 0 "" "init with stdin closed" sh -c "$VERIFY init --state sc --repo core <&-"
ok "its state is there" test -f sc/core.state
echo x >afile
run 1 "$P cannot create 'afile/st': Not a directory" "init under a regular file" \
	$VERIFY init --state afile/st --repo core
run 1 "$P cannot open 'afile': Not a directory" "init with a regular file as --state" \
	$VERIFY init --state afile --repo core
run 1 "$P cannot open 'none.pub': No such file or directory" "init checks --trust" \
	$VERIFY init --state nt --repo core --trust none.pub
ok "and writes no state" test ! -e nt/core.state
run 2 "$P init needs --state and --repo" "init without --state" $VERIFY init --repo core
run 2 "$P init takes no operands ('x')" "init with an operand" $VERIFY init --state s3 --repo core x
run 2 "$P invalid repo name '../x'" "init with a bad repo name" $VERIFY init --state s3 --repo ../x
ok "no refused init made its directory" test ! -e s3

# ---- verify: options and operands ----
A="--trust master.pub --state st --repo core --arch x86_64"
E="$P verify needs --trust, --state, --repo and --arch"
run 2 "$E" "verify without --trust" $VERIFY verify --state st --repo core --arch x86_64 db
run 2 "$E" "verify without --state" $VERIFY verify --trust master.pub --repo core --arch x86_64 db
run 2 "$E" "verify without --repo" $VERIFY verify --trust master.pub --state st --arch x86_64 db
run 2 "$E" "verify without --arch" $VERIFY verify --trust master.pub --state st --repo core db
run 2 "$P verify takes INDEX [SIG]" "verify with three operands" $VERIFY verify $A db db.sig x
run 2 "$P invalid repo name '../x'" "verify with a bad repo name" \
	$VERIFY verify --trust master.pub --state st --repo ../x --arch x86_64 db
cp st/core.state st.before
run 0 "*" "verify with stdin closed" sh -c "$V db db.sig <&-"
run 1 "$P cannot write to stdout: No space left on device" "verify with stdout full" \
	sh -c "$V db db.sig >/dev/full"
run 1 "$P cannot open 'nope.db': No such file or directory" "a missing index" $V nope.db db.sig
C_MASTER=0000000000000000 idx_mkcert cz.cert
S_VERSION=11 idx_mksig cz.cert db x.sig
run 1 "$P 'x.sig': master key 0000000000000000 is not trusted" "a master id of zeros" $V db x.sig
S_VERSION=11 S_SIZE=9223372036854775807 idx_mksig c.cert db x.sig
run 1 "$P index 'db' is shorter than the signed 9223372036854775807 bytes" \
	"index-size 2^63-1: read no further, shorter" $V db x.sig
S_VERSION=11 S_SIZE=9223372036854775808 idx_mksig c.cert db x.sig
run 1 "$P index size 9223372036854775808 is too large" "index-size 2^63: too large" $V db x.sig
run 1 "$P cannot open 'nost': No such file or directory" "a missing state directory" \
	$VERIFY verify --trust master.pub --state nost --repo core --arch x86_64 db db.sig
same st/core.state st.before "no refusal changed the state"
# the state is ours: a link in its place is refused, not followed
mkdir sl
cp st.before sl/real.state
ln -s real.state sl/core.state
run 1 "$P cannot open 'sl/core.state': refusing to follow a symbolic link" \
	"verify refuses a state that is a symbolic link" \
	$VERIFY verify --trust master.pub --state sl --repo core --arch x86_64 --now 2026-06-02T00:00:00Z db db.sig
run 1 "$P cannot open 'sl/core.state': refusing to follow a symbolic link" \
	"so does check" $VERIFY check --state sl --repo core db pkgs/p-1.pkg.tar.zst
same sl/real.state st.before "and the link's target is untouched"
# the state cannot be written: a failure, not an "accepted"
S_VERSION=12 idx_mksig c.cert db x.sig
. "$TESTLIB/fault.sh"
FI="env LD_PRELOAD=$FI FAULT_CALLS=write FAULT_N=1"
run 1 "$P cannot write 'st/core.state': No space left on device" \
	"verify whose new state cannot be written fails" $FI $V db x.sig
is "$OUT" "" "and prints no status"
same st/core.state st.before "the old state is kept"
run 1 "$P cannot write 'fi/core.state': No space left on device" \
	"init whose state cannot be written fails" $FI $VERIFY init --state fi --repo core
ok "and leaves no state" test ! -e fi/core.state

# ---- check ----
run 2 "$P check needs --state and --repo" "check without --state" $VERIFY check --repo core db x
run 2 "$P invalid repo name '../x'" "check with a bad repo name" \
	$VERIFY check --state st --repo ../x db x
run 1 "$P cannot open 'nope.db': No such file or directory" "check of a missing index" \
	$VERIFY check --state st --repo core nope.db pkgs/p-1.pkg.tar.zst
printf 'igos-index v1\nb 1 %s\na 1 %s\n' "$H" "$H" >bad.db
idx_state sb core 3 10 2026-06-01T12:00:00Z "$(sha256sum bad.db | cut -c1-64)"
run 1 "$P bad index 'bad.db': index line 3: entry out of order 'a'" \
	"check of an accepted index that does not parse" $VERIFY check --state sb --repo core bad.db x
# stat says 4096 for a sysfs file of a few bytes, 0 for a procfs file of many
sys=/sys/devices/system/cpu/online
if [ -r "$sys" ] && [ -r /proc/self/status ]; then
	printf 'igos-index v1\nonline 4096 %s\nstatus 0 %s\n' "$H" "$H" >proc.db
	idx_state sp core 3 10 2026-06-01T12:00:00Z "$(sha256sum proc.db | cut -c1-64)"
	run 1 "$P '/proc/self/status': longer than the 0 bytes of the index" \
		"a file longer than stat says is refused as it is read" \
		$VERIFY check --state sp --repo core proc.db /proc/self/status
	run 1 "$P '$sys': size $(wc -c <"$sys" | tr -d ' '), the index says 4096" \
		"a file shorter than stat says is refused before its hash" \
		$VERIFY check --state sp --repo core proc.db "$sys"
else
	skip 2 "no $sys or /proc/self/status here"
fi
# ---- memory running out (strdup, asprintf) ----
OOM="$P out of memory"
SO=$IGOS_BUILD/tests/faultinject.so
MS="env LD_PRELOAD=$SO FAULT_CALLS=strdup"
MA="env LD_PRELOAD=$SO FAULT_CALLS=asprintf"
run 1 "$OOM" "init: no memory to copy the --state path" \
	$MS FAULT_N=1 $VERIFY init --state om/st --repo core
ok "and makes no directory" test ! -e om
run 1 "$OOM" "init: no memory for the state file's name" \
	$MA FAULT_N=1 $VERIFY init --state om2 --repo core
ok "and writes no state" test ! -e om2/core.state
run 1 "$OOM" "init: no memory for a trust directory's file name" \
	$MA FAULT_N=1 $VERIFY init --state om3 --repo core --trust tr
ok "and makes no state directory" test ! -e om3
run 1 "$OOM" "verify: no memory for the default signature name INDEX.sig" \
	$MA FAULT_N=1 $V db
run 1 "$OOM" "verify: no memory for the state file's name" $MA FAULT_N=1 $V db x.sig
run 1 "$OOM" "verify: no memory for a trust directory's file name" \
	$MA FAULT_N=2 $V0 --trust tr db x.sig
run 1 "$OOM" "check: no memory for the state file's name" \
	$MA FAULT_N=1 $VERIFY check --state st --repo core db pkgs/p-1.pkg.tar.zst
same st/core.state st.before "no verify short of memory changed the state"
# every strdup and asprintf of an accepting verify failing in turn
rm -f om.log
env LD_PRELOAD=$SO FAULT_CALLS=strdup,asprintf FAULT_LOG=om.log $V db x.sig >/dev/null 2>&1
cp st.before st/core.state
n=$(cut -d' ' -f1 om.log)
bad=
i=1
while [ "$i" -le "$n" ]; do
	env LD_PRELOAD=$SO FAULT_CALLS=strdup,asprintf FAULT_N=$i $V db x.sig >om.out 2>om.err
	rc=$?
	if [ $rc -ne 1 ] || [ -s om.out ] || [ "$(wc -l <om.err)" -ne 1 ] ||
	   ! cmp -s st/core.state st.before; then
		bad="$bad $i:$rc:$(cat om.err)"
	fi
	cp st.before st/core.state
	i=$((i + 1))
done
is "$n:$bad" "$n:" "verify, each of its $n strdup and asprintf calls failing: exit 1, one line, no status, the old state kept"
done_testing
