#!/bin/sh
# systemd's verity signature partition (sign --json, read by open), the salt
# printed when no superblock keeps it, and open without device-mapper.
. "${0%/*}/../lib/tap.sh"
need igos-verity openssl base64
head -c $((64 * 4096)) /dev/urandom > d
R=$(igos-verity format --salt=aa d h)
umask 077
openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out k.crt -subj /CN=verity -days 30 2>/dev/null
umask 022

run 0 "" "sign --json" igos-verity sign --json -k k.pem -c k.crt -o sig.json "$R"
sed 's/^{"rootHash":"\([0-9a-f]*\)","signature":"\([A-Za-z0-9+/=]*\)"}$/\1/' sig.json > rh
is "$(cat rh)" "$R" "the object is {\"rootHash\":hex,\"signature\":base64}, compact, rootHash first"
sed 's/.*"signature":"\([^"]*\)".*/\1/' sig.json | base64 -d > sig.der
run 0 "" "sign writes the same signature as DER" igos-verity sign -k k.pem -c k.crt -o sig.p7s "$R"
printf %s "$R" > rh.txt
ok "the signature inside verifies over the hex root hash (openssl smime)" \
	openssl smime -verify -binary -inform der -in sig.der -content rh.txt -certfile k.crt \
	-nointern -noverify -out /dev/null
is "$(tail -c 1 sig.json)" "}" "no newline after the object (as systemd-repart writes it)"

# open reads the JSON (checked before device-mapper is involved)
W=0000000000000000000000000000000000000000000000000000000000000000
run 1 "igos-verity: 'sig.json' signs root hash $R, not $W" "open: the JSON's root hash must be the one opened" \
	igos-verity open --root-hash-signature sig.json d v h "$W"
printf '{"rootHash":"%s"}' "$R" > nosig.json
run 1 "igos-verity: 'nosig.json': signature JSON: no \"signature\" string" "open: JSON without a signature" \
	igos-verity open --root-hash-signature nosig.json d v h "$R"
printf '{"rootHash":"%s","signature":"!!"}' "$R" > bad64.json
run 1 "igos-verity: 'bad64.json': signature JSON: \"signature\" is not base64" "open: signature not base64" \
	igos-verity open --root-hash-signature bad64.json d v h "$R"
printf '{"rootHash":"%s",' "$R" > cut.json
run 1 "igos-verity: 'cut.json': signature JSON: not a JSON object" "open: truncated JSON" \
	igos-verity open --root-hash-signature cut.json d v h "$R"
run 2 "igos-verity: --root-hash-signature given twice" "--signature and --root-hash-signature are one option" \
	igos-verity open --signature sig.p7s --root-hash-signature sig.json d v h "$R"

# without device-mapper (this machine's case): the real cause, and no
# /dev/mapper/control made on the way
if grep -q ' device-mapper$' /proc/misc; then
	run 1 "*" "open with device-mapper present gets past the check" igos-verity open d v h "$R"
	ok "and does not blame dm_mod" sh -c '! grep -q dm_mod err'
	ok "(device-mapper present: /dev/mapper/control exists)" test -e /dev/mapper/control
else
	had=$(test -e /dev/mapper/control && echo yes || echo no)
	run 1 "igos-verity: cannot initialize device-mapper; is the dm_mod kernel module loaded?" \
		"open without device-mapper says why" igos-verity open d v h "$R"
	run 1 "igos-verity: cannot initialize device-mapper; is the dm_mod kernel module loaded?" \
		"open with a JSON signature, the same" igos-verity open --root-hash-signature sig.json d v h "$R"
	run 1 "igos-verity: cannot initialize device-mapper; is the dm_mod kernel module loaded?" \
		"status, the same" igos-verity status v
	is "$(test -e /dev/mapper/control && echo yes || echo no)" "$had" "no /dev/mapper/control created"
fi

# --no-superblock with a random salt: printed, and it verifies with it
igos-verity format --no-superblock d nh >root 2>err
is "$?" 0 "format --no-superblock with a random salt"
salt=$(sed -n 's/^igos-verity: salt \([0-9a-f]*\) (no superblock holds it: pass --salt to verify and open)$/\1/p' err)
is "${#salt}" 64 "the random salt is printed (stderr), 32 bytes"
is "$(wc -l <root)" 1 "stdout still carries the root hash alone"
run 0 "" "verify --no-superblock --salt with the printed salt" \
	igos-verity verify --no-superblock --salt "$salt" d nh "$(cat root)"
run 0 "" "an explicit --salt is not printed" igos-verity format --no-superblock --salt=ab d nh2
done_testing
