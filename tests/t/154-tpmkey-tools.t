#!/bin/sh
# The other commands that take -k sign through the TPM as well, --tcti naming
# it: igos-verity sign (openssl smime verifies the root-hash signature),
# igos-ukify --pcr-key (the built-in .pcrsig equals igos-measure sign over the
# finished UKI, and igos-measure verify accepts it), igos-index-sign sign with
# a P-256 subkey the provider made in the TPM (igos-index-verify accepts it).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/tpmkey.sh"
. "$TESTLIB/index.sh"
need swtpm tpm2_shutdown igos-mok igos-verity igos-ukify igos-measure igos-index-sign \
	igos-index-verify openssl
[ -f /usr/lib/x86_64-linux-gnu/ossl-modules/tpm2.so ] ||
	skip_all "the tpm2-openssl provider is not installed (make deps)"
plan 12
tpm_fresh
unset TPM2TOOLS_TCTI # every command below is given --tcti

run 0 "*" "a MOK in the TPM" igos-mok new --tpm --tcti "$TCTI" -k k.tss2.pem -c k.crt --subject tools
openssl x509 -in k.crt -noout -pubkey >k.pub

R=$(printf 'c0ffee%.0s' $(seq 10))0123
printf '%s' "$R" >hex
run 0 "" "igos-verity sign --tcti with the TPM key" \
	igos-verity sign --tcti "$TCTI" -k k.tss2.pem -c k.crt -o rh.p7s "$R"
run 0 "*" "openssl smime verifies it over the hex root hash" openssl smime -verify -binary -inform der \
	-in rh.p7s -content hex -certfile k.crt -CAfile k.crt -purpose any -out /dev/null
run 1 "igos-verity: cannot open the TPM 'swtpm:host=127.0.0.1,port=1': tcti:IO failure" \
	"without the TPM: one line" igos-verity sign --tcti swtpm:host=127.0.0.1,port=1 -k k.tss2.pem \
	-c k.crt -o rh2.p7s "$R"

head -c 100000 /dev/urandom >vmlinuz
printf 'ID=igos\n' >osrel
run 0 "" "igos-ukify build --pcr-key TSS2 key --tcti" igos-ukify build \
	--stub "$IGOS_BUILD/efi/igos-stubx64.efi" --linux vmlinuz --uname 6.1.0-tpm \
	--os-release @osrel --cmdline quiet --pcr-key k.tss2.pem --tcti "$TCTI" -o uki.efi
igos-ukify inspect --section .pcrsig uki.efi >built.json
igos-ukify inspect --section .pcrpkey uki.efi >built.pub
run 0 "" "igos-measure sign --tcti over the finished UKI" \
	igos-measure sign --tcti "$TCTI" -k k.tss2.pem -b sha256 -o measured.json uki.efi
same built.json measured.json ".pcrsig equals igos-measure sign's (RSASSA is deterministic)"
same built.pub k.pub ".pcrpkey is the TPM key's public half"
run 0 "*" "igos-measure verify accepts the built-in .pcrsig" \
	igos-measure verify -P k.pub built.json uki.efi

# an index subkey in the TPM: P-256, made by the provider, certified by the master
export TPM2TOOLS_TCTI=$TCTI
(umask 077 && openssl genpkey $OSSL_TPM -algorithm EC -pkeyopt group:P-256 -out sub.tss2.pem 2>/dev/null)
openssl pkey $OSSL_TPM -in sub.tss2.pem -pubout -out sub.pub 2>/dev/null
tpm_restart
unset TPM2TOOLS_TCTI
idx_keys
idx_pkgs 2
idx_state st core
$SIGN build -o InterGenOS.db pkgs/*
run 0 "" "certify the TPM subkey with the master key" $SIGN certify --master-key master.pem \
	--subkey sub.pub --serial 2 --scope "core x86_64" --not-before 2026-01-01T00:00:00Z \
	--not-after 2099-01-01T00:00:00Z -o sub.cert
run 0 "" "igos-index-sign sign --tcti with the TPM subkey" $SIGN sign --tcti "$TCTI" \
	--key sub.tss2.pem --cert sub.cert --repo core --arch x86_64 --version 7 InterGenOS.db
run 0 "*" "igos-index-verify accepts the signature" $VERIFY verify --trust master.pub --state st \
	--repo core --arch x86_64 InterGenOS.db
