#!/bin/sh
# When the TPM cannot or may not sign: a key file from another TPM or from
# before a TPM clear, a persistent parent that is gone, a wrong auth value
# (one attempt: the dictionary-attack counter goes up by one, never more), an
# auth value file others can read (refused before the TPM is asked), no
# terminal to ask on, a TPM in lockout, a TCTI that cannot be reached; which
# TPM: --tcti, else $TPM2TOOLS_TCTI.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/tpmkey.sh"
. "$TESTLIB/sign.sh"
need swtpm tpm2_clear tpm2_shutdown tpm2_dictionarylockout igos-mok igos-sign setsid openssl
[ -f /usr/lib/x86_64-linux-gnu/ossl-modules/tpm2.so ] ||
	skip_all "the tpm2-openssl provider is not installed (make deps)"
plan 24
tpm_fresh
$MKPE make a.efi
S="igos-sign sign -c mok.crt -o x.efi a.efi"
CLEARED="the key file was made by another TPM, or this TPM was cleared"

run 0 "*" "a MOK in the TPM" igos-mok new --tpm -k mok.tss2.pem -c mok.crt --subject "errors"
run 0 "" "it signs" $S -k mok.tss2.pem
rm -f x.efi

# which TPM: --tcti over $TPM2TOOLS_TCTI
run 1 "igos-sign: cannot open the TPM 'swtpm:host=127.0.0.1,port=1': tcti:IO failure" \
	"a TPM that cannot be reached: one line" env TPM2TOOLS_TCTI=swtpm:host=127.0.0.1,port=1 $S -k mok.tss2.pem
run 0 "" "--tcti wins over \$TPM2TOOLS_TCTI" \
	env TPM2TOOLS_TCTI=swtpm:host=127.0.0.1,port=1 $S --tcti "$TCTI" -k mok.tss2.pem
run 1 "igos-sign: cannot open the TPM 'nosuch:x': tcti:Functionality not supported" \
	"an unknown TCTI" $S --tcti nosuch:x -k mok.tss2.pem
rm -f x.efi

# auth values
(umask 077 && openssl genpkey $OSSL_TPM -algorithm RSA -pkeyopt bits:2048 \
	-pkeyopt user-auth:right -out auth.pem 2>/dev/null)
openssl req $OSSL_TPM -new -x509 -key auth.pem -passin pass:right -subj /CN=auth -days 30 \
	-out auth.crt 2>/dev/null
tpm_restart
A="igos-sign sign -k auth.pem -c auth.crt -o y.efi a.efi"
(umask 077 && echo wrong >wrong.pin && echo right >right.pin)
echo right >open.pin; chmod 644 open.pin
da0=$(da_count)
run 1 "igos-sign: 'open.pin' is readable by others: it must be mode 0600 or stricter" \
	"an auth value file others can read is refused" $A --pin-file open.pin
run 1 "igos-sign: cannot prompt for auth value of the TPM key 'auth.pem': no terminal" \
	"without --pin-file and without a terminal: one line" setsid -w $A
is "$(da_count)" "$da0" "neither reached the TPM (no failure counted)"
run 1 "igos-sign: 'a.efi': wrong auth value for the TPM key (not retried: the TPM counts failures toward its dictionary-attack lockout)" \
	"a wrong auth value: one line, exit 1" $A --pin-file wrong.pin
is "$(da_count)" "$((da0 + 1))" "one attempt: the TPM counted exactly one failure"
ok "no output" test ! -e y.efi
run 0 "" "the right auth value signs" $A --pin-file right.pin
is "$(da_count)" "$((da0 + 1))" "and adds no failure"
rm -f y.efi
# a TPM that allows one failure only, then locks out
tpm2_dictionarylockout -Q -c
tpm2_dictionarylockout -Q -s -n 1 -t 600 -l 600
run 1 "*" "one more wrong value" $A --pin-file wrong.pin
run 1 "igos-sign: 'a.efi': the TPM cannot sign: the TPM is in dictionary-attack lockout (too many wrong auth values): wait, or reset it with the lockout auth" \
	"then even the right one meets the lockout, said as such" $A --pin-file right.pin
run 0 "" "igos-mok's key (no auth value, noDA) still signs during the lockout" $S -k mok.tss2.pem
tpm2_dictionarylockout -Q -c
rm -f x.efi

# a persistent parent that is gone
tpm2_createprimary -Q -C o -G ecc256:aes128cfb -g sha256 -c srk.ctx \
	-a 'restricted|decrypt|noda|fixedtpm|fixedparent|sensitivedataorigin|userwithauth'
tpm2_evictcontrol -Q -C o -c srk.ctx 0x81000001
tpm2_flushcontext -t
(umask 077 && openssl genpkey $OSSL_TPM -algorithm RSA -pkeyopt parent:0x81000001 -out pers.pem 2>/dev/null)
openssl req $OSSL_TPM -new -x509 -key pers.pem -subj /CN=pers -days 30 -out pers.crt 2>/dev/null
tpm_restart
run 0 "" "a key under the persistent parent signs" igos-sign sign -k pers.pem -c pers.crt -o p.efi a.efi
tpm2_evictcontrol -Q -C o -c 0x81000001
run 1 "igos-sign: the key file was made by another TPM, or this TPM was cleared (no parent key at 0x81000001)" \
	"its parent evicted: one line" igos-sign sign -k pers.pem -c pers.crt -o p2.efi a.efi

# another TPM; this TPM cleared
cp mok.tss2.pem old.tss2.pem
tpm_fresh
run 1 "igos-sign: key 'old.tss2.pem': $CLEARED" "a key made by another TPM: one line, exit 1" \
	$S -k old.tss2.pem
run 0 "*" "a MOK in this TPM" igos-mok new --tpm -k new.tss2.pem -c new.crt --subject "before clear"
run 0 "" "it signs" igos-sign sign -k new.tss2.pem -c new.crt -o n.efi a.efi
tpm2_clear -Q -c p
run 1 "igos-sign: key 'new.tss2.pem': $CLEARED" "after tpm2_clear: the same line" \
	igos-sign sign -k new.tss2.pem -c new.crt -o n2.efi a.efi
ok "no output" test ! -e n2.efi
run 0 "" "nothing was left loaded in the TPM by the failures" \
	sh -c 'tpm2_getcap handles-transient | grep . && exit 1; exit 0'
