#!/bin/sh
# igos-measure verify: a good .pcrsig verifies; every bad one fails (exit 1)
# with its exact one-line reason.
. "${0%/*}/../lib/tap.sh"
need igos-measure openssl python3

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem 2>/dev/null
chmod 600 key.pem other.pem
openssl pkey -in key.pem -pubout -out pub.pem
openssl pkey -in other.pem -pubout -out other.pub
openssl pkey -in ec.pem -pubout -out ec.pub
printf 'kernel image' > linux
printf 'ID=igos\n' > osrel
printf 'quiet' > cmdline
printf 'quiet splash' > cmdline2
F="--linux linux --osrel osrel --cmdline cmdline --pcrpkey pub.pem"

# shellcheck disable=SC2086
run 0 "" "sign sha256 for the default phases" igos-measure sign -k key.pem -b sha256 -o good.pcrsig $F
# shellcheck disable=SC2086
run 0 "" "a good .pcrsig verifies" igos-measure verify -P pub.pem good.pcrsig $F
is "$OUT" "sha256 enter-initrd: ok
sha256 enter-initrd:leave-initrd: ok
sha256 enter-initrd:leave-initrd:sysinit: ok
sha256 enter-initrd:leave-initrd:sysinit:ready: ok" "verify names each entry's phase"
# shellcheck disable=SC2086
run 0 "" "the .pcrsig from stdin" sh -c "igos-measure verify -P pub.pem - $F < good.pcrsig"

# shellcheck disable=SC2086
igos-measure sign -k key.pem -b sha1 -p '' -p shutdown -o stub.pcrsig $F
# shellcheck disable=SC2086
run 0 "" "the empty phase and shutdown verify when asked for" \
	igos-measure verify -P pub.pem -p shutdown -p '' stub.pcrsig $F
is "$OUT" "sha1 :: ok
sha1 shutdown: ok" "the empty phase is shown as ':'"

P="igos-measure: 'bad.pcrsig':"
bad() { # CONTENT MESSAGE DESCRIPTION
	printf '%s' "$1" > bad.pcrsig
	# shellcheck disable=SC2086
	run 1 "$P $2" "$3" igos-measure verify -P pub.pem bad.pcrsig $F
}
# edit the good one: python expression on d (the parsed JSON) and e (its first entry)
edit() { # PYTHON MESSAGE DESCRIPTION
	python3 -c '
import json,sys
d=json.load(open("good.pcrsig")); e=d["sha256"][0]
exec(sys.argv[1])
sys.stdout.write(json.dumps(d))' "$1" > edited.json
	bad "$(cat edited.json)" "$2" "$3"
}

bad 'this is not JSON' "not JSON: boolean expected at offset 1" "not JSON"
bad '<html>' "not JSON: unexpected character at offset 0" "not JSON: HTML"
bad '{"sha256":[{"pcrs":[11],' "not JSON: unexpected end of data at offset 24" "truncated JSON"
bad '{"sha256":[]} {}' "not JSON: unexpected character at offset 14" "data after the JSON"
printf '{"sha256":\0[]}' > nul.pcrsig
run 1 "igos-measure: 'nul.pcrsig': not JSON: a NUL byte at offset 10" "a NUL byte" \
	igos-measure verify -P pub.pem nul.pcrsig --linux linux
bad '' "not JSON: unexpected end of data at offset 0" "an empty file"
bad '[1,2]' "not a .pcrsig: the top level is not an object" "wrong shape: an array"
bad '{}' "not a .pcrsig: no entries" "wrong shape: no banks"
bad '{"sha256":[]}' "not a .pcrsig: no entries" "wrong shape: no entries"
bad '{"md5":[]}' "not a .pcrsig: unknown bank 'md5'" "wrong shape: unknown bank"
bad '{"SHA256":[]}' "not a .pcrsig: unknown bank 'SHA256'" "wrong shape: bank names are lower case"
bad '{"sha256":{}}' "not a .pcrsig: 'sha256' is not an array" "wrong shape: bank not an array"
bad '{"sha256":[7]}' "'sha256' entry 1 is not an object" "wrong shape: entry not an object"
edit 'del e["pcrs"]' "'sha256' entry 1: 'pcrs' is not an array" "wrong shape: no pcrs"
edit 'e["pcrs"]=[]' "'sha256' entry 1: 'pcrs' is empty" "wrong shape: empty pcrs"
edit 'e["pcrs"]=["11"]' "'sha256' entry 1: 'pcrs' holds a non-integer" "wrong shape: pcrs of strings"
edit 'e["pcrs"]=[24]' "'sha256' entry 1: PCR 24 out of range" "wrong shape: PCR 24"
edit 'e["pol"]=7' "'sha256' entry 1: 'pol' is not a string" "wrong shape: pol a number"
edit 'd["sha256"][2]["pol"]=e["pol"][:62]' "'sha256' entry 3: 'pol' is not 64 hex digits" "wrong shape: short pol"
edit 'e["pkfp"]="zz"+e["pkfp"][2:]' "'sha256' entry 1: 'pkfp' is not 64 hex digits" "wrong shape: pkfp not hex"
edit 'del e["sig"]' "'sha256' entry 1: 'sig' is not a string" "wrong shape: no sig"
edit 'e["sig"]="@@"+e["sig"][2:]' "'sha256' entry 1: 'sig' is not valid base64" "bad base64"
edit 'e["sig"]=e["sig"][:-2]' "'sha256' entry 1: 'sig' is not valid base64" "bad base64 padding"
edit 'e["sig"]=""' "'sha256' entry 1: 'sig' is not valid base64" "empty sig"
edit 'e["pcrs"]=[0]' "'sha256' entry 1: covers PCRs other than 11" "an entry for PCR 0, the lowest"
edit 'e["pcrs"]=[23]' "'sha256' entry 1: covers PCRs other than 11" "an entry for PCR 23, the highest"
edit 'e["pcrs"]=[-1]' "'sha256' entry 1: PCR -1 out of range" "wrong shape: PCR -1"
edit 'del e["pkfp"]' "'sha256' entry 1: 'pkfp' is not a string" "wrong shape: no pkfp"
edit 'e["pkfp"]=7' "'sha256' entry 1: 'pkfp' is not a string" "wrong shape: pkfp a number"
edit 'e["sig"]=7' "'sha256' entry 1: 'sig' is not a string" "wrong shape: sig a number"
bad 'null' "not JSON: null" "JSON null"
bad '{"sha256":[]}	
 ' "not a .pcrsig: no entries" "blanks after the JSON are not data"
edit 'e["pcrs"]=[11,12]' "'sha256' entry 1: covers PCRs other than 11" "an entry for PCRs 11 and 12"
edit 'e["pol"]="00"*32' "'sha256' entry 1: pol does not match the UKI in any phase" "a pol that does not match"
edit 'd["sha256"][3]["sig"]=e["sig"]' "'sha256' entry 4: bad signature" "a signature over another pol"
edit 'd["sha1"]=d.pop("sha256")' "'sha1' entry 1: pol does not match the UKI in any phase" "sha256 entries under sha1"
# shellcheck disable=SC2086
run 1 "igos-measure: 'good.pcrsig': 'sha256' entry 1: pol does not match the UKI in any phase" \
	"another UKI (other cmdline)" igos-measure verify -P pub.pem good.pcrsig --linux linux \
	--osrel osrel --cmdline cmdline2 --pcrpkey pub.pem
# shellcheck disable=SC2086
run 1 "igos-measure: 'good.pcrsig': 'sha256' entry 1: pol does not match the UKI in any phase" \
	"phases it was not signed for" igos-measure verify -P pub.pem -p sysinit good.pcrsig $F
# shellcheck disable=SC2086
run 0 "" "verify with a subset of phases given" igos-measure verify -P pub.pem \
	-p enter-initrd -p enter-initrd:leave-initrd -p enter-initrd:leave-initrd:sysinit \
	-p enter-initrd:leave-initrd:sysinit:ready -p shutdown good.pcrsig $F

# another key
# shellcheck disable=SC2086
run 1 "igos-measure: 'good.pcrsig': 'sha256' entry 1: pkfp is not the fingerprint of the public key" \
	"verified against another public key" igos-measure verify -P other.pub good.pcrsig $F
# (sign refuses a key that is not $F's .pcrpkey, tests/t/78: the offline flow does not look)
# shellcheck disable=SC2086
igos-measure policy-digest -P other.pub -b sha256 -o other.pd $F
igos-measure sign -k other.pem --policy-digest other.pd -o other.pcrsig
python3 -c '
import json
g=json.load(open("good.pcrsig")); o=json.load(open("other.pcrsig"))
for a,b in zip(g["sha256"],o["sha256"]): b["pkfp"]=a["pkfp"]
open("forged.pcrsig","w").write(json.dumps(o))'
# shellcheck disable=SC2086
run 1 "igos-measure: 'forged.pcrsig': 'sha256' entry 1: bad signature" \
	"another key's signatures under our pkfp" igos-measure verify -P pub.pem forged.pcrsig $F
# signed by our key, but the UKI's .pcrpkey is another key: unusable at boot
# (sign refuses that pair, tests/t/78: made through the offline flow)
igos-measure policy-digest -P pub.pem -b sha256 -o mixed.pd --linux linux --pcrpkey other.pub
igos-measure sign -k key.pem --policy-digest mixed.pd -o mixed.pcrsig
run 1 "igos-measure: 'other.pub': its .pcrpkey is not the public key 'pub.pem'" \
	".pcrpkey is not the signing key" igos-measure verify -P pub.pem mixed.pcrsig \
	--linux linux --pcrpkey other.pub
# shellcheck disable=SC2086
run 1 "igos-measure: 'good.pcrsig': the public key is not an RSA key" "an EC public key" \
	igos-measure verify -P ec.pub good.pcrsig $F
# shellcheck disable=SC2086
run 1 "igos-measure: cannot open 'none.pem': No such file or directory" "a missing public key" \
	igos-measure verify -P none.pem good.pcrsig $F
done_testing
