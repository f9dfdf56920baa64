#!/bin/sh
# igos-mok sb-state says what mokutil --sb-state says for every combination of
# SecureBoot, SetupMode and MokSBStateRT; --json carries the same facts.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/mok.sh"
need igos-mok mokutil xxd python3
for sb in 1 0; do
	for setup in 0 1; do
		for moksb in absent present; do
			d=sb$sb-setup$setup-$moksb
			efidir $d $sb $setup
			[ $moksb = present ] &&
				printf '\001' | efivar $d MokSBStateRT $SHIM_GUID 06000000
			want=$(mokutil_at $d --sb-state 2>&1)
			run 0 "" "$d: sb-state" igos-mok sb-state --efivars $d
			is "$OUT" "$want" "$d: same lines as mokutil ($(echo $want))"
			run 0 "" "$d: sb-state --json" igos-mok sb-state --json --efivars $d
			v=$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)
print(int(d["secure_boot"]), int(d["setup_mode"]), int(d["shim_validation"]))')
			sv=1; [ $moksb = present ] && sv=0
			is "$v" "$sb $setup $sv" "$d: JSON secure_boot setup_mode shim_validation"
		done
	done
done
efidir nosetup 1
run 0 "" "no SetupMode variable" igos-mok sb-state --efivars nosetup
is "$OUT" "Cannot determine secure boot state." "cannot tell without SetupMode"
run 0 "" "--json without SetupMode" igos-mok sb-state --efivars nosetup --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["setup_mode"])')" \
	"None" "setup_mode is null"
mkdir nosb
run 1 "igos-mok: no SecureBoot variable in 'nosb': firmware without Secure Boot" \
	"no SecureBoot variable" igos-mok sb-state --efivars nosb
done_testing
