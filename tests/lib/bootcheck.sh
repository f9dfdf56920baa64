# Helpers for the igos-bootcheck tests (tests/t/11x-bootcheck-*.t,
# tests/vm/bootcheck-agree.t), sourced after tap.sh and mok.sh. They build the
# chain of spec/grub-chain.md from Debian's pieces: shim-unsigned (its
# built-in vendor certificate and vendor dbx replaced by ours, then signed
# with the snakeoil key), a GRUB image made by grub-mkimage with an embedded
# configuration, and UKIs of the igos stub whose "kernel" is the marker EFI
# program (it prints IGOS-MARKER-OK and powers off: no kernel boot needed).
#
# bc_keys                 keys/: db (snakeoil), vendor, mok, other (RSA), ec (P-256):
#                         NAME.key NAME.crt (PEM) NAME.der
# bc_shim OUT VENDOR.der [DBX.esl]  shim with that vendor certificate and vendor dbx
# bc_grub OUT SBATCSV [TAG]  a GRUB image that chainloads EFI/Linux/*.efi in turn,
#                         then prints IGOS-GRUB-END; TAG goes into its config
# bc_uki OUT [igos-ukify options]  a UKI of the igos stub with the marker as .linux,
#                         .cmdline $BC_CMDLINE (default console=ttyS0)
# bc_sign KEY OUT IN      igos-sign sign with keys/KEY (sbsign for the EC key)
# bc_esp DIR SHIM GRUB UKI...  DIR/EFI/BOOT/{BOOTX64.EFI,grubx64.efi}, DIR/EFI/Linux/
# bc_vars DIR             efivars like the snakeoil VM's: SecureBoot=1,
#                         SetupMode=0, PK/KEK/db = snakeoil, no dbx; more with efivar
# bc_hash FILE            the Authenticode SHA-256 (hex) of FILE
# bc_nosbat IN OUT        IN with its .sbat section renamed .nosbat
# bc_grubcsv GEN          a GRUB .sbat CSV with grub,GEN, to stdout
# bc_chain                bc_keys, grub5.csv, shim.signed (db) -> grub.signed (vendor)
#                         -> uki.signed (db) and their unsigned inputs, ev0 (bc_vars);
#                         bails out if a step fails
# bc_esl_sha256 HEX...    (mok.sh's esl_sha256) ; bc_esl_x509 DER: esl_x509
# bc_x509_sha256 DER [ALG]  an X509_SHA256/384/512 list of DER's TBS hash
# bc_esl_sha1 HEX...      an EFI_CERT_SHA1 list

SECURITY_GUID=d719b2cb-3d3a-4596-a3bc-dad00e67656f
BC_MARKER=${IGOS_BUILD:-$IGOS_SRC/build}/efi/igos-marker.efi
BC_STUB=${IGOS_BUILD:-$IGOS_SRC/build}/efi/igos-stubx64.efi
BC_GRUB_MODS="normal configfile echo test true sleep reboot halt search search_fs_file \
fat part_gpt part_msdos chain ls cat minicmd memdisk tar regexp efi_gop efi_uga"
SBAT_HDR='sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md'

bc_keys() {
	mkdir -p keys || return 1
	openssl rsa -passin pass:snakeoil -in /usr/share/ovmf/PkKek-1-snakeoil.key \
		-out keys/db.key 2>/dev/null && chmod 600 keys/db.key &&
		cp /usr/share/ovmf/PkKek-1-snakeoil.pem keys/db.crt || return 1
	for _k in vendor mok other revoked; do
		openssl req -x509 -newkey rsa:2048 -nodes -keyout keys/$_k.key -out keys/$_k.crt \
			-subj "/CN=igos bootcheck $_k" -days 3650 -addext extendedKeyUsage=codeSigning \
			2>/dev/null && chmod 600 keys/$_k.key || return 1
	done
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout keys/ec.key \
		-out keys/ec.crt -subj "/CN=igos bootcheck ec" -days 3650 2>/dev/null &&
		chmod 600 keys/ec.key || return 1
	for _k in db vendor mok other revoked ec; do
		openssl x509 -in keys/$_k.crt -outform DER -out keys/$_k.der || return 1
	done
}

bc_sign() {
	# igos-sign refuses EC keys for PE images; sbsign makes the ECDSA case
	if [ "$1" = ec ]; then
		sbsign --key keys/ec.key --cert keys/ec.crt --output "$2" "$3" >/dev/null 2>&1
	else
		igos-sign sign -k "keys/$1.key" -c "keys/$1.crt" -o "$2" "$3"
	fi
}

# The .vendor_cert section rewritten: {u32 auth size, u32 deauth size, u32 auth
# offset, u32 deauth offset} then the two blobs; zeros after (spec: shim's cert.S).
bc_shim() {
	python3 - "$SHIM_DIR/shimx64.efi" "$1" "$2" "${3:-}" <<'PY'
import struct, sys
src, out, vendor, dbx = sys.argv[1:5]
d = bytearray(open(src, 'rb').read())
pe = struct.unpack_from('<I', d, 0x3c)[0]
nsec = struct.unpack_from('<H', d, pe + 6)[0]
opt = struct.unpack_from('<H', d, pe + 20)[0]
sh = pe + 24 + opt
symoff, nsym = struct.unpack_from('<II', d, pe + 12)
strtab = symoff + 18 * nsym
def name(h):
    n = d[h:h + 8].rstrip(b'\0')
    if n.startswith(b'/'):
        o = strtab + int(n[1:])
        n = d[o:d.index(b'\0', o)]
    return n
auth = open(vendor, 'rb').read()
deauth = open(dbx, 'rb').read() if dbx else b''
for i in range(nsec):
    h = sh + 40 * i
    if name(h) != b'.vendor_cert':
        continue
    vs, va, rs, ro = struct.unpack_from('<IIII', d, h + 8)
    blob = struct.pack('<IIII', len(auth), len(deauth), 16, 16 + len(auth)) + auth + deauth
    if len(blob) > min(vs, rs):
        sys.exit('vendor cert and dbx do not fit in .vendor_cert')
    d[ro:ro + min(vs, rs)] = blob + b'\0' * (min(vs, rs) - len(blob))
    break
else:
    sys.exit('no .vendor_cert')
open(out, 'wb').write(d)
PY
}

bc_grub() {
	_g_out=$1 _g_sbat=$2 _g_tag=${3:-igos}
	_g_d=$(mktemp -d "$T/grub.XXXXXX") || return 1
	cat >"$_g_d/early.cfg" <<-'EOF'
	set root=(memdisk)
	set prefix=(memdisk)
	configfile (memdisk)/grub.cfg
	EOF
	cat >"$_g_d/grub.cfg" <<-EOF
	set timeout=0
	echo IGOS-GRUB-START $_g_tag
	search --no-floppy --file --set=root /EFI/BOOT/BOOTX64.EFI
	for f in (\$root)/EFI/Linux/*.efi; do
	  echo IGOS-GRUB-TRY \$f
	  chainloader \$f
	  boot
	done
	echo IGOS-GRUB-END
	sleep 1
	halt
	EOF
	(cd "$_g_d" && tar cf memdisk.tar grub.cfg) &&
		grub-mkimage -O x86_64-efi -o "$_g_out" -p /EFI/igos -c "$_g_d/early.cfg" \
			-m "$_g_d/memdisk.tar" --sbat "$_g_sbat" $BC_GRUB_MODS
	_g_rc=$?
	rm -rf "$_g_d"
	return $_g_rc
}

bc_uki() {
	_u_out=$1; shift
	igos-ukify build --stub "$BC_STUB" --linux "$BC_MARKER" --cmdline "${BC_CMDLINE:-console=ttyS0}" \
		--os-release "ID=igos" --uname 6.1.0-igos "$@" -o "$_u_out"
}

bc_esp() {
	_e_d=$1 _e_shim=$2 _e_grub=$3; shift 3
	rm -rf "$_e_d"
	mkdir -p "$_e_d/EFI/BOOT" "$_e_d/EFI/Linux" || return 1
	cp "$_e_shim" "$_e_d/EFI/BOOT/BOOTX64.EFI" && cp "$_e_grub" "$_e_d/EFI/BOOT/grubx64.efi" || return 1
	for _e_u in "$@"; do cp "$_e_u" "$_e_d/EFI/Linux/" || return 1; done
}

bc_vars() {
	efidir "$1" 1 0
	esl_x509 keys/db.der | efivar "$1" PK $GLOBAL_GUID 27000000
	esl_x509 keys/db.der | efivar "$1" KEK $GLOBAL_GUID 27000000
	esl_x509 keys/db.der | efivar "$1" db $SECURITY_GUID 27000000
}

bc_hash() {
	igos-sign hash "$1"
}

# bc_tamper FILE: flip one byte 16 bytes into the first section (hashed, and
# not in the certificate table)
bc_tamper() {
	python3 - "$1" <<'PY'
import struct, sys
f = sys.argv[1]
d = bytearray(open(f, 'rb').read())
pe = struct.unpack_from('<I', d, 0x3c)[0]
opt = struct.unpack_from('<H', d, pe + 20)[0]
ro = struct.unpack_from('<I', d, pe + 24 + opt + 20)[0]
d[ro + 16] ^= 0xff
open(f, 'wb').write(d)
PY
}

bc_grubcsv() {
	printf '%s\ngrub,%s,Free Software Foundation,grub,2.06,https://www.gnu.org/software/grub/\n' \
		"$SBAT_HDR" "$1"
}

bc_chain() {
	bc_keys || { echo "Bail out! keys"; exit 1; }
	bc_grubcsv 5 >grub5.csv
	{ bc_shim shim.efi keys/vendor.der && bc_sign db shim.signed shim.efi &&
		bc_grub grub.efi grub5.csv && bc_sign vendor grub.signed grub.efi &&
		bc_uki uki.efi && bc_sign db uki.signed uki.efi && bc_vars ev0; } ||
		{ echo "Bail out! chain"; exit 1; }
}

# bc_nosbat IN OUT: IN with its .sbat section header renamed .nosbat
bc_nosbat() {
	python3 - "$1" "$2" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
pe = struct.unpack_from('<I', d, 0x3c)[0]
n = struct.unpack_from('<H', d, pe + 6)[0]; o = struct.unpack_from('<H', d, pe + 20)[0]
for i in range(n):
    h = pe + 24 + o + 40 * i
    if d[h:h + 8] == b'.sbat\0\0\0':
        d[h:h + 8] = b'.nosbat\0'
open(sys.argv[2], 'wb').write(d)
PY
}

# bc_loadopt DESC [FILEPATH]: an EFI_LOAD_OPTION (active) with HD(1,GPT,...)
# and File(FILEPATH) (backslashes), or only HD() without FILEPATH, to stdout
bc_loadopt() {
	python3 - "$1" "${2:-}" <<'PY'
import struct, sys
desc, path = sys.argv[1], sys.argv[2]
hd = struct.pack('<BBHIQQ16sBB', 4, 1, 42, 1, 2048, 204800, bytes(range(16)), 2, 2)
dp = hd
if path:
    p = path.encode('utf-16-le') + b'\0\0'
    dp += struct.pack('<BBH', 4, 4, 4 + len(p)) + p
dp += struct.pack('<BBH', 0x7f, 0xff, 4)
d = struct.pack('<IH', 1, len(dp)) + desc.encode('utf-16-le') + b'\0\0' + dp
sys.stdout.buffer.write(d)
PY
}

# bc_le16 N...: little-endian u16s (BootOrder, BootCurrent) to stdout
bc_le16() {
	for _n in "$@"; do printf '%04x' "$_n" | sed 's/\(..\)\(..\)/\2\1/'; done | xxd -r -p
}

# bc_x509_sha256 DER [sha384|sha512]: an EFI_CERT_X509_SHA256 (or _SHA384,
# _SHA512) signature list holding that hash of DER's TBSCertificate
# (revocation time zero), to stdout
bc_x509_sha256() {
	python3 - "$1" "${2:-sha256}" <<'PY'
import hashlib, struct, sys, uuid
d = open(sys.argv[1], 'rb').read()
def tlv(b, o):
    l = b[o + 1]; h = 2
    if l & 0x80:
        n = l & 0x7f; l = int.from_bytes(b[o + 2:o + 2 + n], 'big'); h += n
    return h, l
h, l = tlv(d, 0)
h2, l2 = tlv(d, h)
tbs = d[h:h + h2 + l2]
g = uuid.UUID({'sha256': '3bd2a492-96c0-4079-b420-fcf98ef103ed',
               'sha384': '7076876e-80c2-4ee6-aad2-28b349a6865b',
               'sha512': '446dbf63-2502-4cda-bcfa-2465d2b0fe9d'}[sys.argv[2]]).bytes_le
owner = uuid.UUID('605dab50-e046-4300-abb6-3dd810dd8b23').bytes_le
sig = owner + hashlib.new(sys.argv[2], tbs).digest() + b'\0' * 16
sys.stdout.buffer.write(g + struct.pack('<III', 28 + len(sig), 0, len(sig)) + sig)
PY
}

# bc_esl_sha1 HEX...: one EFI_CERT_SHA1 signature list of those digests, to stdout
bc_esl_sha1() {
	_h="12a56c8210cfc94ab187be01496631bd$(le32 $((28 + 36 * $#)))$(le32 0)$(le32 36)"
	for _d in "$@"; do _h="$_h$SHIM_GUID_HEX$_d"; done
	printf '%s' "$_h" | xxd -r -p
}

# The case helpers of the bootcheck tests, over esp0/ and ev0/ (a good ESP and
# variable store):
# bc_mk NAME: NAME.esp and NAME.ev as copies of the good ones, to break
bc_mk() { rm -rf "$1.esp" "$1.ev"; cp -r esp0 "$1.esp"; cp -r ev0 "$1.ev"; }
# bc_run NAME STATUS STDERR DESCRIPTION [options]: igos-bootcheck over NAME
bc_run() {
	_n=$1 _s=$2 _e=$3 _d=$4; shift 4
	run "$_s" "$_e" "$_d" timeout 60 igos-bootcheck --esp "$_n.esp" --efivars "$_n.ev" "$@"
}
# bc_line FILE: the output line of that link
bc_line() { printf '%s\n' "$OUT" | grep "^$1: \|^$1 " | head -n 1; }
# bc_hash FILE: Authenticode SHA-256 as signers and shim compute it;
# bc_fwhash FILE: EDK2's for an unsigned image (no padding to 8), pesign's -h
bc_hash() { igos-sign hash "$1"; }
bc_fwhash() { pesign -h -i "$1" | sed 's/^hash: //'; }
