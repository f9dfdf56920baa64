#!/bin/sh
# Seed corpus for one fuzz target, made from real files on this machine
# (Debian packages, the cached test kernel) and from outputs of the project's
# own tools and their peers, never committed: corpus.sh TARGET DIR
# IGOS_BUILD (default build/) holds the tools; a seed whose maker is missing
# is left out.
set -eu
name=$1 dir=$2
[ -n "$(ls -A "$dir" 2>/dev/null)" ] && exit 0
src=$(cd "$(dirname "$0")/../.." && pwd)
bin=${IGOS_BUILD:-$src/build}/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
SHIM=/usr/lib/shim/shimx64.efi

# An RSA key and certificate, made once per call.
mkkey() {
	[ -f "$tmp/k.pem" ] && return 0
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/k.pem" -out "$tmp/c.pem" \
		-subj /CN=fuzz -days 30 2>/dev/null
	chmod 600 "$tmp/k.pem"
}

# A small PE signed by igos-sign and by sbsign (a cut-down systemd stub).
signed_pe() {
	mkkey
	if [ -x "$bin/igos-sign" ] && [ -f "$STUB" ]; then
		"$bin/igos-sign" sign -k "$tmp/k.pem" -c "$tmp/c.pem" -o "$dir/stub-igos.efi" "$STUB" 2>/dev/null || :
	fi
	if command -v sbsign >/dev/null && [ -f "$STUB" ]; then
		sbsign --key "$tmp/k.pem" --cert "$tmp/c.pem" --output "$dir/stub-sbsign.efi" "$STUB" 2>/dev/null || :
	fi
}

kmod() {
	for d in "$HOME/.cache/igos-tests/kernel" /lib/modules; do
		[ -d "$d" ] || continue
		find "$d" -name '*.ko' -size -24k 2>/dev/null | head -n 4
	done
}

case $name in
fuzz-sbvar)
	# updates as igos-sbkeys and sign-efi-sig-list make them
	mkkey
	if [ -x "$bin/igos-sbkeys" ]; then
		"$bin/igos-sbkeys" esl -o "$tmp/c.esl" "$tmp/c.pem" 2>/dev/null || :
		"$bin/igos-sbkeys" auth -k "$tmp/k.pem" -c "$tmp/c.pem" db "$tmp/c.esl" \
			-o "$dir/db.auth" 2>/dev/null || :
		: >"$tmp/e.esl"
		"$bin/igos-sbkeys" auth -a -k "$tmp/k.pem" -c "$tmp/c.pem" PK "$tmp/e.esl" \
			-o "$dir/pk-empty.auth" 2>/dev/null || :
	fi ;;
fuzz-tpmlog)
	# crafted logs (drivers, an authority) and this machine's own, when readable
	mkkey
	openssl x509 -in "$tmp/c.pem" -outform DER -out "$tmp/c.der" 2>/dev/null || :
	python3 "$src/tests/lib/tpmlog.py" "$dir/drivers.log" \
		driver:$(printf '%064d' 1) app:$(printf '%064d' 2) 2>/dev/null || :
	python3 "$src/tests/lib/tpmlog.py" "$dir/authority.log" \
		authority:77fa9abd-0359-4d32-bd60-28f4e78f784b:"$tmp/c.der" driver:$(printf '%064d' 3) \
		2>/dev/null || :
	cat /sys/kernel/security/tpm0/binary_bios_measurements >"$dir/host.log" 2>/dev/null ||
		rm -f "$dir/host.log" ;;
fuzz-pe)
	for f in $STUB $SHIM /usr/lib/shim/mmx64.efi /usr/lib/systemd/boot/efi/systemd-bootx64.efi; do
		[ -f "$f" ] && head -c 65536 "$f" >"$dir/${f##*/}"
	done ;;
fuzz-peedit)
	# stubs as igos-ukify takes them (systemd's ends with a symbol table), the
	# objcopy output efi-fixup edits, signed images igos-sign rewrites
	for f in $STUB "${IGOS_BUILD:-$src/build}/efi/igos-stubx64.efi" $SHIM; do
		[ -f "$f" ] && head -c 65536 "$f" >"$dir/${f##*/}"
	done
	if [ -f "$STUB" ]; then
		# under the 64 KiB the fuzzers read: without .text, symbol table kept
		objcopy --remove-section .text "$STUB" "$dir/notext.efi" 2>/dev/null || :
		objcopy --remove-section .text --strip-all "$STUB" "$dir/notext-stripped.efi" 2>/dev/null || :
	fi
	signed_pe ;;
fuzz-authenticode)
	signed_pe
	[ -f "$SHIM" ] && cp "$SHIM" "$dir/shimx64.efi"
	for m in $(kmod); do cp "$m" "$dir/"; done ;;
fuzz-acstream)
	# what the streamed signer reads: stubs unsigned and signed (a second
	# signature keeps the table), cut to the 64 KiB the fuzzers read
	signed_pe
	for f in $STUB "${IGOS_BUILD:-$src/build}/efi/igos-stubx64.efi" "$dir"/stub-*.efi; do
		[ -f "$f" ] && head -c 65536 "$f" >"$dir/head-${f##*/}"
	done
	# a whole small image, unsigned and signed, that streams to the end
	a=${IGOS_BUILD:-$src/build}/efi/igos-addonx64.efi
	if [ -f "$a" ] && [ -x "$bin/igos-sign" ]; then
		cp "$a" "$dir/addon.efi"
		"$bin/igos-sign" sign -k "$tmp/k.pem" -c "$tmp/c.pem" -o "$dir/addon-signed.efi" "$a" 2>/dev/null || :
	fi ;;
fuzz-modsig)
	for m in $(kmod); do cp "$m" "$dir/"; tail -c 2048 "$m" >"$dir/tail-${m##*/}"; done ;;
fuzz-stub)
	for f in $STUB $SHIM; do
		[ -f "$f" ] && head -c 262144 "$f" >"$dir/${f##*/}"
		[ -f "$f" ] && objcopy -O binary --only-section=.sbat "$f" "$dir/sbat-${f##*/}" 2>/dev/null || :
	done
	printf 'sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md\nigos,1,InterGenOS,igos,0.1,https://intergenos.org\n' >"$dir/sbat.csv"
	printf 'console=ttyS0 root=/dev/vda1 ro' | iconv -t UTF-16LE >"$dir/loadopts" ;;
fuzz-sbat)
	for f in $SHIM /usr/lib/shim/mmx64.efi /usr/lib/shim/fbx64.efi $STUB; do
		[ -f "$f" ] || continue
		objcopy -O binary --only-section=.sbat "$f" "$dir/sbat-${f##*/}" 2>/dev/null || :
		objcopy -O binary --only-section=.sbatlevel "$f" "$dir/sbatlevel-${f##*/}" 2>/dev/null || :
		[ -s "$dir/sbatlevel-${f##*/}" ] || rm -f "$dir/sbatlevel-${f##*/}"
	done
	printf 'sbat,1,2025021800\nshim,4\ngrub,5\n' >"$dir/level"
	printf '\357\273\277sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md\r\ngrub,5,Free Software Foundation,grub,2.06,https://www.gnu.org/software/grub/\r\n\0grub.x,1,X,grub2,2.06,u\n' >"$dir/crlf" ;;
fuzz-secboot)
	[ -f "$SHIM" ] && head -c 2000000 "$SHIM" >"$dir/shimx64.efi"
	[ -f "$SHIM" ] && objcopy -O binary --only-section=.vendor_cert "$SHIM" "$dir/vendor_cert" 2>/dev/null || :
	# a boot entry: active, "igos", HD(1,GPT) then File(\EFI\BOOT\BOOTX64.EFI)
	python3 -c 'import struct,sys
hd=struct.pack("<BBHIQQ16sBB",4,1,42,1,2048,204800,bytes(range(16)),2,2)
p="\\EFI\\BOOT\\BOOTX64.EFI".encode("utf-16-le")+b"\0\0"
dp=hd+struct.pack("<BBH",4,4,4+len(p))+p+struct.pack("<BBH",0x7f,0xff,4)
sys.stdout.buffer.write(struct.pack("<IH",1,len(dp))+"igos".encode("utf-16-le")+b"\0\0"+dp)' >"$dir/boot0001" 2>/dev/null || :
	if [ -x "$bin/igos-mok" ]; then
		mkkey
		openssl x509 -in "$tmp/c.pem" -outform DER -out "$tmp/c.der" 2>/dev/null &&
			python3 -c 'import struct,sys
d=open(sys.argv[1],"rb").read()
g=bytes.fromhex("a159c0a5e494a74a87b5ab155c2bf072")
sys.stdout.buffer.write(g+struct.pack("<III",28+16+len(d),0,16+len(d))+bytes(16)+d)' "$tmp/c.der" >"$dir/esl" 2>/dev/null || :
	fi ;;
fuzz-grubimg)
	# the mods section of igos-grub images (with and without the linux module)
	if [ -x "$bin/igos-grub" ]; then
		"$bin/igos-grub" build -o "$tmp/g.efi" 2>/dev/null &&
			objcopy -O binary --only-section=mods "$tmp/g.efi" "$dir/mods" 2>/dev/null || :
		"$bin/igos-grub" build --allow-linux --timeout 0 -o "$tmp/l.efi" 2>/dev/null &&
			objcopy -O binary --only-section=mods "$tmp/l.efi" "$dir/mods-linux" 2>/dev/null || :
	fi
	# and a short one (the first objects, sizes fixed up) that fits -max_len
	[ -s "$dir/mods" ] && python3 -c '
import sys
m = open(sys.argv[1], "rb").read()
off, out = 24, b""
while True:
    sz = int.from_bytes(m[off + 4:off + 8], "little")
    if len(out) + sz > 60000:
        break
    out += m[off:off + sz]
    off += sz
hdr = m[:8] + (24).to_bytes(8, "little") + (24 + len(out)).to_bytes(8, "little")
open(sys.argv[2], "wb").write(hdr + out)' "$dir/mods" "$dir/mods-short" 2>/dev/null || : ;;
fuzz-bootentry)
	# a GPT and an MBR disk's first sectors, as sfdisk writes them
	if command -v sfdisk >/dev/null; then
		truncate -s 4M "$tmp/gpt.img" && printf 'label: gpt\nstart=2048, size=2048, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n' |
			sfdisk -q "$tmp/gpt.img" 2>/dev/null && head -c 65536 "$tmp/gpt.img" >"$dir/gpt" || :
		truncate -s 2M "$tmp/mbr.img" && printf 'label: dos\nstart=2048, size=2048, type=ef\n' |
			sfdisk -q "$tmp/mbr.img" 2>/dev/null && head -c 4096 "$tmp/mbr.img" >"$dir/mbr" || :
	fi ;;
fuzz-fec)
	# roots, then a message; error triples are the fuzzer's to find
	for r in 0 1 6 22; do
		{ printf "\\$(printf %o $r)"; head -c 300 /dev/urandom; } >"$dir/roots-$r"
	done
	;;
fuzz-veritysig)
	mkkey
	if [ -x "$bin/igos-verity" ]; then
		"$bin/igos-verity" sign --json -k "$tmp/k.pem" -c "$tmp/c.pem" -o "$dir/sig.json" \
			0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef 2>/dev/null || :
	fi
	printf '{"rootHash":"aa","signature":"AAAA"}\n\0\0\0' >"$dir/min.json"
	;;
fuzz-verity)
	head -c 65536 /dev/urandom >"$tmp/data"
	for a in sha256:4096:4096 sha1:512:1024 sha512:1024:512; do
		h=${a%%:*} b=${a#*:}; db=${b%%:*} hb=${b#*:}
		if command -v veritysetup >/dev/null; then
			veritysetup format --hash "$h" --data-block-size "$db" --hash-block-size "$hb" \
				"$tmp/data" "$tmp/hash" >/dev/null 2>&1 && head -c 65536 "$tmp/hash" >"$dir/vs-$h-$db-$hb"
		fi
		if [ -x "$bin/igos-verity" ]; then
			"$bin/igos-verity" format --hash "$h" --data-block-size "$db" --hash-block-size "$hb" \
				"$tmp/data" "$tmp/h2" >/dev/null 2>&1 && head -c 65536 "$tmp/h2" >"$dir/igos-$h-$db-$hb"
		fi
		rm -f "$tmp/hash" "$tmp/h2"
	done
	# one small tree whole: 4 data blocks of 512, its root hash at the end
	head -c 2048 /dev/zero >"$tmp/small"
	if command -v veritysetup >/dev/null; then
		r=$(veritysetup format --data-block-size 512 --hash-block-size 512 "$tmp/small" "$tmp/sh" 2>/dev/null |
			sed -n 's/^Root hash:[[:space:]]*//p')
		[ -n "$r" ] && { cat "$tmp/sh"; printf '%s' "$r" | xxd -r -p; } >"$dir/small-with-root"
	fi ;;
fuzz-indexsig)
	if [ -x "$bin/igos-index-sign" ]; then
		(
		cd "$tmp"
		openssl genpkey -algorithm ed25519 -out master.pem 2>/dev/null
		openssl genpkey -algorithm ed25519 -out sub.pem 2>/dev/null
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.pem 2>/dev/null
		chmod 600 master.pem sub.pem p256.pem
		openssl pkey -in sub.pem -pubout -out sub.pub
		openssl pkey -in p256.pem -pubout -out p256.pub
		head -c 1000 /dev/urandom >a-1.pkg.tar.zst
		head -c 3000 /dev/urandom >b-2.pkg.tar.zst
		"$bin/igos-index-sign" build -o index a-1.pkg.tar.zst b-2.pkg.tar.zst
		for s in sub p256; do
			"$bin/igos-index-sign" certify --master-key master.pem --subkey $s.pub --serial 3 \
				--scope 'core,extra x86_64' --not-after 2030-01-01T00:00:00Z -o $s.cert
			"$bin/igos-index-sign" sign --key $s.pem --cert $s.cert --repo core --arch x86_64 \
				--version 7 -o $s.sig index
		done
		openssl pkey -in master.pem -pubout -out master.pub
		mkdir -p trust state
		cp master.pub trust/
		"$bin/igos-index-verify" verify --trust trust --state state --repo core --arch x86_64 \
			index sub.sig >/dev/null
		) 2>/dev/null || :
		for f in index sub.cert p256.cert sub.sig p256.sig state/core.state; do
			[ -f "$tmp/$f" ] && cp "$tmp/$f" "$dir/$(echo "$f" | tr / -)"
		done
	fi
	printf '2026-06-01T12:00:00Z' >"$dir/time"
	printf 'core,extra x86_64,aarch64' >"$dir/scope"
	printf '14d' >"$dir/duration" ;;
fuzz-efivar)
	mkkey
	if [ -x "$bin/igos-mok" ]; then
		mkdir -p "$tmp/ev"
		printf 'fuzz-password\n' >"$tmp/pw"
		"$bin/igos-mok" import --efivars "$tmp/ev" --password-file "$tmp/pw" "$tmp/c.pem" >/dev/null 2>&1 || :
		for f in "$tmp"/ev/*; do
			[ -f "$f" ] || continue
			# efivarfs files start with the 4 attribute bytes
			tail -c +5 "$f" >"$dir/$(basename "$f" | cut -d- -f1)"
		done
	fi
	if command -v mkpasswd >/dev/null; then
		mkpasswd -m sha512crypt -R 5000 fuzz-password >"$dir/crypt" 2>/dev/null || :
	fi
	printf '$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/' >"$dir/crypt2" ;;
fuzz-pcrsig)
	if [ -x "$bin/igos-measure" ] && [ -f "$STUB" ]; then
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/pcr.pem" 2>/dev/null
		chmod 600 "$tmp/pcr.pem"
		printf 'k' >"$tmp/linux"
		"$bin/igos-measure" sign -k "$tmp/pcr.pem" --linux "$tmp/linux" -o "$dir/pcrsig.json" 2>/dev/null || :
		"$bin/igos-measure" sign -k "$tmp/pcr.pem" -b sha1 -b sha256 -b sha384 --linux "$tmp/linux" \
			-o "$dir/pcrsig3.json" 2>/dev/null || :
	fi
	printf '{"sha256":[{"pcrs":[11],"pkfp":"%064d","pol":"%064d","sig":"AAAA"}]}' 0 0 >"$dir/min.json"
	printf '{"sha256":[{"pcrs":[11],"pol":"%064d"}],"sha1":[{"pcrs":[11],"pol":"%064d"}]}' 0 0 \
		>"$dir/digests.json" ;;
fuzz-ini)
	cat >"$dir/uki.conf" <<'CONF'
[UKI]
Linux = /boot/vmlinuz
Initrd = /boot/initrd.img
  /boot/extra.img
Cmdline = console=ttyS0 root=/dev/vda1 # a comment
; another comment
OSRelease = @/etc/os-release

[PCRSignature:initrd]
PCRPrivateKey = /etc/kernel/pcr-initrd.pem
Phases = enter-initrd
CONF
	;;
fuzz-spdx)
	printf '(MIT OR Apache-2.0) AND GPL-2.0-only WITH Linux-syscall-note' >"$dir/expr"
	printf 'LicenseRef-igos-1 OR BSD-3-Clause+' >"$dir/expr2" ;;
fuzz-encode)
	printf 'Zm9vYmFy' >"$dir/b64"; printf '00abff' >"$dir/hex" ;;
fuzz-request)
	mkkey
	if [ -x "$bin/igos-sign" ] && [ -f "$STUB" ]; then
		(
		cd "$tmp"
		cp "$STUB" stub.efi
		printf 'int f(void) { return 1; }\n' >m.c && cc -c m.c -o m.ko
		"$bin/igos-sign" sign --request-out pe.req -c c.pem stub.efi
		"$bin/igos-sign" sign --request-out mod.req -c c.pem m.ko
		"$bin/igos-verity" sign --request-out verity.req -c c.pem "$(printf '%064d' 7)"
		openssl pkey -in k.pem -pubout -out k.pub
		"$bin/igos-ukify" build --stub "$STUB" --linux m.ko --pcrpkey k.pub -o uki.efi
		"$bin/igos-measure" sign --request-out pcr.req uki.efi
		"$bin/igos-mok" new --request-out mok.req -k k.pub --subject fuzz
		"$bin/igos-sign" sign-request -k k.pem pcr.req
		openssl genpkey -algorithm ed25519 -out master.pem && chmod 600 master.pem
		openssl pkey -in master.pem -pubout -out master.pub
		"$bin/igos-index-sign" certify --request-out cert.req --master-key master.pub \
			--subkey master.pub --serial 1 --scope 'core x86_64' --not-after 2099-01-01T00:00:00Z
		"$bin/igos-sbkeys" esl -o db.esl c.pem
		"$bin/igos-sbkeys" auth --request-out efi-auth.req -t '2026-12-01 10:00:00' \
			-c c.pem db db.esl
		"$bin/igos-sbkeys" auth --request-out efi-append.req -a \
			-g 605dab50-e046-4300-abb6-3dd810dd8b23 -c c.pem MokList db.esl
		) >/dev/null 2>&1 || :
		for f in pe.req mod.req verity.req pcr.req pcr.sig cert.req mok.req efi-auth.req \
			efi-append.req; do
			[ -f "$tmp/$f" ] && cp "$tmp/$f" "$dir/$f"
		done
	fi ;;
fuzz-tpmkey)
	# keys made by a swtpm of our own: igos-mok new --tpm (emptyAuth 0xFF) and,
	# where the provider is installed, openssl genpkey -provider tpm2 (0x01,
	# and with an auth value); each as PEM and as DER
	command -v swtpm >/dev/null && [ -x "$bin/igos-mok" ] || exit 0
	port=$(( 30000 + ($$ % 10000) * 2 ))
	mkdir "$tmp/tpm"
	swtpm socket --tpm2 --flags startup-clear,not-need-init --tpmstate dir="$tmp/tpm" \
		--server type=tcp,port=$port,bindaddr=127.0.0.1 \
		--ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
		--pid file="$tmp/tpm/pid" --daemon 2>/dev/null || exit 0
	tcti=swtpm:host=127.0.0.1,port=$port
	"$bin/igos-mok" new --tpm --tcti "$tcti" -k "$dir/igos.pem" -c "$tmp/igos.crt" \
		--subject fuzz >/dev/null 2>&1 || :
	if [ -f /usr/lib/x86_64-linux-gnu/ossl-modules/tpm2.so ]; then
		TPM2OPENSSL_TCTI=$tcti openssl genpkey -provider tpm2 -provider default \
			-algorithm RSA -out "$dir/provider.pem" 2>/dev/null || :
		TPM2OPENSSL_TCTI=$tcti openssl genpkey -provider tpm2 -provider default \
			-algorithm EC -pkeyopt user-auth:x -out "$dir/provider-ec-auth.pem" 2>/dev/null || :
	fi
	kill "$(cat "$tmp/tpm/pid")" 2>/dev/null || :
	for f in "$dir"/*.pem; do
		[ -s "$f" ] || { rm -f "$f"; continue; }
		openssl base64 -d -in "$f" -out "${f%.pem}.der" 2>/dev/null || :
	done ;;
fuzz-uki)
	# a multi-profile UKI, an addon, device descriptions (0x1e between files)
	if [ -x "$bin/igos-ukify" ]; then
		head -c 4096 /dev/urandom >"$tmp/k"
		"$bin/igos-ukify" build --profile 'ID=one
TITLE="One"' --cmdline one -o "$tmp/p1.efi" 2>/dev/null || :
		"$bin/igos-ukify" build --linux "$tmp/k" --uname 1 --os-release ID=x \
			--join-profile "$tmp/p1.efi" -o "$dir/profiles.efi" 2>/dev/null || :
		"$bin/igos-ukify" build --addon --cmdline x -o "$dir/addon.efi" 2>/dev/null || :
	fi
	printf '{"type":"devicetree","name":"Board","compatible":"acme,board","hwids":["2bd1e9d8-5b8c-4b8f-a1e2-0123456789ab"]}\036{"type":"uefi-fw","name":"Board","fwid":"fw1","hwids":["00000000-0000-0000-0000-000000000001"]}' >"$dir/hwids.json" ;;
fuzz-addons)
	# addons as the stub reads them: laid out as LoadImage does (each
	# section's raw bytes at its VirtualAddress), and as files; names and
	# UKI paths in UTF-16; command lines
	if [ -x "$bin/igos-ukify" ]; then
		printf 'd00dfeed00000028' | xxd -r -p >"$tmp/dtb"
		"$bin/igos-ukify" build --addon --cmdline 'quiet x=1' --uname 6.1.0-13-amd64 \
			-o "$tmp/a1.efi" 2>/dev/null || :
		"$bin/igos-ukify" build --addon --devicetree "$tmp/dtb" --ucode "$tmp/dtb" \
			-o "$tmp/a2.efi" 2>/dev/null || :
		for f in "$tmp"/a1.efi "$tmp"/a2.efi; do
			[ -f "$f" ] || continue
			cp "$f" "$dir/file-${f##*/}"
			python3 -c '
import struct, sys
f = open(sys.argv[1], "rb").read()
pe = struct.unpack_from("<I", f, 0x3c)[0]
nsec, optsz = struct.unpack_from("<H", f, pe + 6)[0], struct.unpack_from("<H", f, pe + 20)[0]
size, hdrs = struct.unpack_from("<II", f, pe + 24 + 56)
img = bytearray(size)
img[:hdrs] = f[:hdrs]
for i in range(nsec):
    vs, va, rs, ro = struct.unpack_from("<IIII", f, pe + 24 + optsz + 40 * i + 8)
    n = min(vs, rs)
    img[va:va + n] = f[ro:ro + n]
sys.stdout.buffer.write(img)' "$f" >"$dir/loaded-${f##*/}" 2>/dev/null || rm -f "$dir/loaded-${f##*/}"
		done
	fi
	printf '10-debug.addon.efi' | iconv -t UTF-16LE >"$dir/name"
	printf '\\EFI\\Linux\\uki+3-0.efi' | iconv -t UTF-16LE >"$dir/path"
	printf '  console=ttyS0 \t quiet \303\251\n' >"$dir/cmdline" ;;
fuzz-chid)
	# this machine's SMBIOS tables, a devicetree, a UKI with .dtbauto, .hwids, .efifw
	for f in DMI smbios_entry_point; do
		[ -r "/sys/firmware/dmi/tables/$f" ] && cp "/sys/firmware/dmi/tables/$f" "$dir/$f" || :
	done
	printf '/dts-v1/;\n/ { compatible = "acme,board", "acme,soc"; };\n' |
		dtc -q -I dts -O dtb -o "$tmp/board.dtb" - 2>/dev/null && cp "$tmp/board.dtb" "$dir/" || :
	if [ -x "$bin/igos-ukify" ] && [ -s "$tmp/board.dtb" ]; then
		mkdir -p "$tmp/hw" "$tmp/fw/fw1"
		printf '{"type":"devicetree","name":"B","compatible":"acme,board","hwids":["2bd1e9d8-5b8c-4b8f-a1e2-0123456789ab"]}' >"$tmp/hw/b.json"
		printf '{"type":"uefi-fw","name":"F","fwid":"fw1","hwids":["2bd1e9d8-5b8c-4b8f-a1e2-0123456789ab"]}' >"$tmp/hw/f.json"
		printf fw >"$tmp/fw/fw1/blob"
		head -c 4096 /dev/urandom >"$tmp/k"
		"$bin/igos-ukify" build --linux "$tmp/k" --uname 1 --os-release ID=x \
			--devicetree-auto "$tmp/board.dtb" --hwids "$tmp/hw" --efifw "$tmp/fw/fw1" \
			-o "$dir/uki.efi" 2>/dev/null || :
	fi ;;
esac
exit 0
