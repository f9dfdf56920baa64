#!/bin/sh
# igos-measure status: says plainly when the machine has no TPM (or, on a
# machine with one, reads PCRs 11-13 from it); a TCTI that cannot be opened
# is named in the error.
. "${0%/*}/../lib/tap.sh"
need igos-measure
plan 5

if [ -e /sys/class/tpm/tpm0 ] || [ -e /dev/tpmrm0 ]; then
	# a machine with a TPM: status must read it (sysfs needs no privileges)
	run 0 "" "status reads this machine's TPM" igos-measure status -b sha256
	is "$(printf '%s\n' "$OUT" | sed 's/=[0-9a-f]\{64\}$/=X/')" "11:sha256=X
12:sha256=X
13:sha256=X" "status prints PCRs 11, 12 and 13"
else
	run 1 "igos-measure: no TPM: neither /sys/class/tpm/tpm0 nor /dev/tpmrm0 exists" \
		"no TPM: said plainly" igos-measure status
	run 1 "igos-measure: no TPM: neither /sys/class/tpm/tpm0 nor /dev/tpmrm0 exists" \
		"no TPM, JSON asked for: the same" igos-measure status --json
fi
run 1 "igos-measure: cannot open the TPM 'device:$T/none': tcti:IO failure" \
	"a TPM device that is not there" igos-measure status --tcti "device:$T/none"
run 1 "igos-measure: cannot open the TPM 'swtpm:host=127.0.0.1,port=1': tcti:IO failure" \
	"a swtpm that is not listening" igos-measure status --tcti swtpm:host=127.0.0.1,port=1
run 2 "igos-measure: unknown bank 'sha3' (sha1, sha256, sha384, sha512)" "status with an unknown bank" \
	igos-measure status -b sha3
done_testing
