#!/bin/sh
# igos-measure against a real TPM (swtpm, driven with tpm2-tools): extend PCR 11
# with a UKI's sections as the stub does, then the TPM's own PolicyPCR digest
# is the .pcrsig's pol, the signature verifies on the TPM with .pcrpkey loaded,
# PolicyAuthorize accepts the ticket, and one more extend breaks the match.
# Also `status --tcti` reads the same PCR values.
. "${0%/*}/../lib/tap.sh"
need igos-measure swtpm tpm2_pcrextend tpm2_startauthsession tpm2_policypcr \
	tpm2_loadexternal tpm2_verifysignature tpm2_policyauthorize tpm2_flushcontext \
	objcopy openssl python3
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
[ -f "$STUB" ] || skip_all "$STUB missing (systemd-boot-efi)"
. "$TESTLIB/measure-swtpm.sh"
plan 24

swtpm_start || skip_all "swtpm does not start"
TCTI=$SWTPM_TCTI
export TPM2TOOLS_TCTI=$TCTI

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem 2>/dev/null
chmod 600 key.pem
openssl pkey -in key.pem -pubout -out pub.pem
printf 'not a kernel, but measured like one' > linux
printf 'ID=igos\nNAME=test\n' > osrel
printf 'root=/dev/vda quiet' > cmdline
head -c 70000 /dev/urandom > initrd
objcopy --add-section .osrel=osrel --change-section-vma .osrel=0x20000 \
	--add-section .cmdline=cmdline --change-section-vma .cmdline=0x21000 \
	--add-section .pcrpkey=pub.pem --change-section-vma .pcrpkey=0x22000 \
	--add-section .initrd=initrd --change-section-vma .initrd=0x30000 \
	--add-section .linux=linux --change-section-vma .linux=0x60000 "$STUB" uki.efi

run 0 "" "sign the UKI's policy for enter-initrd and the empty phase" \
	igos-measure sign -k key.pem -b sha1 -b sha256 -p enter-initrd -p '' -o uki.pcrsig uki.efi
# entries are sorted by phase: "" first, then "enter-initrd"
entry() { # BANK N FIELD
	python3 -c 'import json,sys; print(json.load(open("uki.pcrsig"))[sys.argv[1]][int(sys.argv[2])][sys.argv[3]])' "$@"
}
entry sha256 1 sig | openssl base64 -d -A > sig-initrd.bin
entry sha256 1 pol | xxd -r -p > pol-initrd.bin
entry sha256 0 pol | xxd -r -p > pol-stub.bin

# extend PCR 11 as the stub does: H(name NUL) then H(contents), for each section
ext() { # BYTES-ON-STDIN -> extend sha1 and sha256 of them
	_f=$T/.ext; cat > "$_f"
	tpm2_pcrextend "11:sha1=$(sha1sum < "$_f" | cut -d' ' -f1),sha256=$(sha256sum < "$_f" | cut -d' ' -f1)"
}
for s in linux osrel cmdline initrd pcrpkey; do
	f=$s; [ $s = pcrpkey ] && f=pub.pem
	printf ".$s\0" | ext && ext < "$f" || break
done
run 0 "" "status --tcti reads the TPM" igos-measure status --tcti "$TCTI" -b sha256
want=$(igos-measure calculate -b sha256 -p '' uki.efi 2>/dev/null | sed 's/^11:/11:/')
is "$(printf '%s\n' "$OUT" | grep '^11:')" "$want" "PCR 11 after the sections equals calculate --phase="
is "$(printf '%s\n' "$OUT" | grep -c '^1[23]:sha256=0\{64\}$')" 2 "status shows PCRs 12 and 13 too"
run 0 "" "status --json" igos-measure status --tcti "$TCTI" -b sha1 --json
ok "status JSON has PCR 11 in sha1" sh -c "printf '%s' '$OUT' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert [e[\"pcr\"] for e in d[\"sha1\"]]==[11,12,13]'"

policy() { # OUT: PolicyPCR over sha256:11 in a fresh policy session (session kept in s.ctx)
	tpm2_flushcontext -t >/dev/null 2>&1
	tpm2_startauthsession --policy-session -S s.ctx && tpm2_policypcr -S s.ctx -l sha256:11 -L "$1" >/dev/null
}
ok "TPM PolicyPCR right after the stub" policy tpm-stub.bin
same tpm-stub.bin pol-stub.bin "the session digest equals pol of the empty phase"
tpm2_flushcontext s.ctx 2>/dev/null

printf 'enter-initrd' | ext
ok "TPM PolicyPCR after enter-initrd" policy tpm-initrd.bin
same tpm-initrd.bin pol-initrd.bin "the session digest equals pol of enter-initrd"
ok "load .pcrpkey into the TPM" tpm2_loadexternal -C o -G rsa -u pub.pem -c key.ctx -n key.name
ok "TPM2_VerifySignature of sig over pol gives a ticket" \
	tpm2_verifysignature -c key.ctx -g sha256 -m pol-initrd.bin -f rsassa -s sig-initrd.bin -t ticket.bin
ok "PolicyAuthorize with the ticket succeeds" \
	tpm2_policyauthorize -S s.ctx -i pol-initrd.bin -n key.name -t ticket.bin -L auth.bin
tpm2_flushcontext s.ctx 2>/dev/null

# the sha1 entry is for the sha1 bank: PolicyPCR over sha1:11
tpm2_flushcontext -t >/dev/null 2>&1
tpm2_startauthsession --policy-session -S s1.ctx && tpm2_policypcr -S s1.ctx -l sha1:11 -L tpm-sha1.bin >/dev/null
entry sha1 1 pol | xxd -r -p > pol-sha1.bin
same tpm-sha1.bin pol-sha1.bin "the sha1 bank's pol is the TPM's PolicyPCR over sha1:11"
tpm2_flushcontext s1.ctx 2>/dev/null

printf 'leave-initrd' | ext
ok "TPM PolicyPCR after one more extend" policy tpm-late.bin
nok "the session digest no longer equals pol" cmp -s tpm-late.bin pol-initrd.bin
nok "PolicyAuthorize with the old ticket fails" \
	tpm2_policyauthorize -S s.ctx -i pol-initrd.bin -n key.name -t ticket.bin -L auth2.bin
tpm2_flushcontext s.ctx 2>/dev/null
run 0 "# PCR[11] Phase <enter-initrd:leave-initrd>" "calculate for enter-initrd:leave-initrd still predicts the TPM" \
	igos-measure calculate -b sha256 -p enter-initrd:leave-initrd uki.efi
got=$OUT
run 0 "" "status after the phases" igos-measure status --tcti "$TCTI" -b sha256
is "$(printf '%s\n' "$OUT" | grep '^11:')" "$got" "PCR 11 equals the prediction"

# a TPM with only the sha256 bank active: status shows that bank, and says so
# when another is asked for
tpm2_pcrallocate sha1:none+sha256:all+sha384:none+sha512:none >/dev/null 2>&1
ok "restart the TPM with its banks reallocated" swtpm_start keep
run 0 "" "status of a sha256-only TPM" igos-measure status --tcti "$SWTPM_TCTI"
is "$(printf '%s\n' "$OUT" | cut -d= -f1 | tr '\n' ' ')" "11:sha256 12:sha256 13:sha256 " \
	"only the active bank is shown"
run 1 "igos-measure: the TPM has no active sha384 bank" "a bank the TPM does not have" \
	igos-measure status --tcti "$SWTPM_TCTI" -b sha256 -b sha384
done_testing
