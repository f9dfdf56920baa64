#!/bin/sh
# kernel-install add and remove run at once on one ESP (package triggers, DKMS,
# a person): 90-igos-uki.install serialises them with a flock on the ESP, so
# every run exits 0 (or 1 with a true reason), the ESP ends with exactly the
# UKIs that should be there, each verifying, and no temporary file is left;
# a SIGKILLed run releases the lock, and its leftover goes with the next run.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/hooks.sh"
need kernel-install igos-ukify igos-sign sbverify openssl flock ps
vm_kernel
KVER=$VM_KVER
hooks_env
hooks_mok mok
hooks_conf "$T/mok.key" "$T/mok.crt"
printf 'layout=other\n' >conf/install.conf
printf 'root=/dev/vda2 ro igos.test=concurrent\n' >conf/cmdline
# a large initrd, so that the runs overlap for a while
head -c 16777216 /dev/urandom >initrd.img
L=$T/esp/EFI/Linux
export T

# together ACTION:VERSION...: all at once; each run's status in rc.N, stderr in err.N
together() {
	rm -f rc.* err.*
	n=0
	for a in "$@"; do
		n=$((n + 1))
		( st=0; ki "${a%%:*}" "$KVER-${a#*:}" "$VM_VMLINUZ" initrd.img >/dev/null 2>"err.$n" ||
			st=$?; echo "$st" >"rc.$n" ) &
	done
	wait
	bad=
	i=0
	while [ $i -lt $n ]; do
		i=$((i + 1))
		[ "$(cat "rc.$i" 2>/dev/null)" = 0 ] && ! [ -s "err.$i" ] ||
			bad="$bad [run $i: exit $(cat "rc.$i" 2>/dev/null): $(cat "err.$i")]"
	done
	echo "$bad"
}
# uki_set VERSION...: the ESP holds exactly these UKIs, nothing else
uki_set() {
	want=
	for v in "$@"; do want="$want igos-$KVER-$v.efi"; done
	printf '%s\n' $want | sort | tr '\n' ' '
}
have() { ls -A "$L" | sort | tr '\n' ' '; }
all_verify() {
	for f in "$L"/*.efi; do
		igos-sign verify -c mok.crt "$f" >/dev/null 2>&1 && sbverify --cert mok.crt "$f" >/dev/null 2>&1 ||
			{ echo "$f"; return; }
	done
}

is "$(together add:a add:a add:a add:a add:b add:b)" "" \
	"6 adds at once (4 of one version, 2 of another): every run exits 0, nothing on stderr"
is "$(have)" "$(uki_set a b)" "the ESP holds exactly the two UKIs, no temporary file"
is "$(all_verify)" "" "both verify (igos-sign verify, sbverify)"

is "$(together remove:a add:c remove:a add:c add:b add:b)" "" \
	"removes of one version, adds of a new one and of an installed one at once: all exit 0"
is "$(have)" "$(uki_set b c)" "the ESP holds exactly b and c"
is "$(all_verify)" "" "both verify"

is "$(together add:d remove:d add:d remove:d remove:c add:e)" "" \
	"adds and removes of the same version at once: all exit 0"
h=$(have)
ok "the ESP holds b and e, and d or not (the last run's word): $h" \
	test "$h" = "$(uki_set b d e)" -o "$h" = "$(uki_set b e)"
is "$(all_verify)" "" "every UKI there verifies"

# the lock held by another program: the wait is bounded and the reason given
rm -f lockheld
( exec 9<esp; flock 9; : >lockheld; sleep 60 9<&- & echo $! >sleeper; wait ) &
holder=$!
i=0
while ! [ -e lockheld ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
IGOS_ESP_LOCK_WAIT=1 run 1 "*" "an add waits for the lock, then gives up" ki add "$KVER-f" "$VM_VMLINUZ"
last_err "90-igos-uki.install: another kernel-install has held '$T/esp' for 1 s, nothing installed for $KVER-f" \
	"... saying so"
kill "$holder" "$(cat sleeper)" 2>/dev/null
wait "$holder" 2>/dev/null
is "$(have)" "$h" "nothing installed, no temporary file"

# a run SIGKILLed while it holds the lock (stopped in its sync of the copy, as
# in 96-hooks-kill.t) releases it: the next add goes through at once and
# removes the dead run's temporary file, while the killed run's sync still runs
hooks_stop_sync
rm -f hookpid syncpid
PATH=$T/wrap:$PATH kernel-install add "$KVER-g" "$VM_VMLINUZ" >/dev/null 2>&1 & kpid=$!
i=0
while ! [ -s hookpid ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
kill -KILL "$(cat hookpid)"
wait $kpid
ok "the killed run left its temporary copy" sh -c "ls -A '$L' | grep -q '^\.igos-igos-$KVER-g\.efi\.......\(\.[0-9][0-9]*\)\{0,1\}$'"
IGOS_ESP_LOCK_WAIT=5 run 0 "*" "the next add does not wait for the dead run" ki add "$KVER-g" "$VM_VMLINUZ"
kill "$(cat syncpid)" 2>/dev/null
h2=$(have)
ok "it removed the leftover; g installed: $h2" \
	test "$h2" = "$(uki_set b d e g)" -o "$h2" = "$(uki_set b e g)"
is "$(all_verify)" "" "every UKI there verifies"
done_testing
