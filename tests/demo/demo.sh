#!/bin/sh
# make demo: the whole igos boot chain on a real kernel, under Secure Boot, with
# a TPM, step by step. Work files stay in $IGOS_DEMO_DIR (default: a new temp dir).
set -u
IGOS_SRC=$(cd "$(dirname "$0")/../.." && pwd)
: "${IGOS_BUILD:=$IGOS_SRC/build}"
PATH=$IGOS_BUILD/bin:$PATH
W=${IGOS_DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/igos-demo.XXXXXX")}
mkdir -p "$W/tmp"
cd "$W" || exit 1
T=$W/tmp  # scratch space for tests/lib/vm.sh

# what tests/lib/vm.sh expects from the TAP helpers
diag() { printf '%s\n' "$@" | sed 's/^/   | /' >&2; }
skip_all() { echo "demo: cannot run: $1" >&2; exit 1; }
need() { for c in "$@"; do command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || skip_all "$c missing"; done; }
. "$IGOS_SRC/tests/lib/vm.sh"
. "$IGOS_SRC/tests/lib/chain.sh"
. "$IGOS_SRC/tests/lib/shim.sh"
. "$IGOS_SRC/tests/lib/grub.sh"

total0=$(date +%s.%N)
report=""
step() { # TITLE FUNCTION...
	_title=$1; shift
	printf '==> %s\n' "$_title"
	_t0=$(date +%s.%N)
	if ! "$@"; then
		printf 'demo: step failed: %s (work files in %s)\n' "$_title" "$W" >&2
		exit 1
	fi
	_dt=$(awk -v a="$_t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
	report="$report$(printf '  %6.1f s  %s' "$_dt" "$_title")
"
}

vm_need
need mksquashfs igos-verity igos-ukify igos-sign igos-mok igos-measure igos-grub grub-mkimage awk \
	mkfifo "$SHIM_DIR/shimx64.efi.signed" "$SHIM_DIR/mmx64.efi.signed" "$GRUB_MS_CODE" "$GRUB_MS_VARS"
printf 'igos demo in %s\n' "$W"
step "Debian cloud kernel (cached in ${VM_CACHE})" vm_kernel
step "read-only root image (squashfs, busybox)" chain_rootfs
chain_snakeoil || skip_all "cannot read the snakeoil key"  # chain_mok also certifies the MOK with it (tests/vm/chain.t)
step "machine's own MOK: igos-mok new" chain_mok
step "distribution release key (a file here; a token key in a release)" chain_release
step "dm-verity tree and root hash: igos-verity format; signed: igos-verity sign" chain_verity
printf '    root hash %s\n' "$(cat roothash)"
step "PCR 11 policy key" chain_pcrkey
step "initrd (busybox, dm-verity, igos-verity)" chain_initrd
CHAIN_SIGN_CERT=$W/mok.crt CHAIN_TRUST_CERT=$W/mok.crt
# shim trusts the enrolled MOK for the kernel (MokListTrustedRT, its default):
# the kernel checks the root hash's signature against it (.machine keyring)
step "UKI: igos-ukify build (igos stub, roothash= and dm_verity.require_signatures=1 in .cmdline, .pcrsig); igos-sign sign with the MOK + verify" \
	chain_uki "$W/uki.efi" "" "dm_verity.require_signatures=1 igos.verity_sig=1"
igos-sign list uki.efi | sed 's/^/    /'
predicted=$(igos-measure calculate --bank sha256 --phase= uki.efi 2>/dev/null | sed -n 's/^11:sha256=//p')
printf '    predicted PCR 11 (igos-measure calculate --phase=): %s\n' "$predicted"
step "GRUB: igos-grub build (SBAT at shim 16.1's level, config built in); igos-sign sign with the release key" \
	chain_grub
step "ESP: igos-grub install (Microsoft-signed shim, MokManager, GRUB), the UKI in EFI/Linux" \
	chain_grub_esp "$W/uki.efi"
step "first boot (OVMF, Microsoft's keys): shim refuses GRUB; MokManager enrolls the release key and the MOK" \
	chain_enroll "$W/enroll.log"
step "boot: firmware -> shim -> GRUB -> UKI, with swtpm (qemu, TCG)" chain_boot_grub "$W/boot.log"
tr -d '\r' <boot.log | grep -E 'IGOS-CHAIN:|igos: starting' | sed 's/^.*IGOS-CHAIN: /    guest: /; s/^.*igos: starting /    GRUB: starting /'

pcr=$(chain_marker boot.log 'PCR11=' | tr 'A-F' 'a-f')
refused=no; grep -q 'Verification failed' enroll.log && ! grep -q 'Welcome to GRUB' enroll.log && refused=yes
shim=no; grep -q 'Shim UEFI key management' enroll.log && ! grep -q 'Access Denied' boot.log && shim=yes
grub=no; grep -q 'Welcome to GRUB' boot.log && grub=yes
uki=no; grep -q 'IGOS-CHAIN: kernel' boot.log && ! grep -q 'bad shim signature' boot.log && uki=yes
mounted=no; grep -q 'IGOS-CHAIN: root mounted' boot.log && grep -q 'IGOS-CHAIN: root read whole' boot.log &&
	mounted=yes
signed=no; grep -q 'IGOS-CHAIN: root hash signature accepted by the kernel, require_signatures=Y' boot.log &&
	signed=yes
pcrok=no; [ -n "$pcr" ] && [ "$pcr" = "$predicted" ] && pcrok=yes
total=$(awk -v a="$total0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
cat <<EOR

igos demo report: the seed's chain, link by link
  firmware -> shim      OVMF (Secure Boot, Microsoft's keys in db) verified Debian's
                        Microsoft-signed shim 16.1 (Microsoft UEFI CA):                $shim
  shim -> GRUB          before enrolment shim refused the release-signed GRUB:          $refused
                        after MokManager enrolled the release key, shim verified GRUB
                        (release key in MokList; SBAT grub,5 at shim's level):         $grub
  GRUB -> UKI           GRUB's built-in config chainloaded EFI/Linux/intergenos-demo.efi;
                        shim (shim_lock) verified it against the MOK in MokList:        $uki
  stub -> PCR 11        the igos stub measured the UKI; PCR 11 equals the prediction:   $pcrok
      guest      $pcr
      predicted  $predicted
  kernel -> root        verity root opened from the signed roothash=, mounted, read whole: $mounted
                        the kernel checked the root hash's signature (MOK, trusted by
                        shim: .machine keyring; signatures required):                  $signed
  time per step:
$report  total $(printf '%.1f' "$total") s
  work files: $W
EOR
[ $shim = yes ] && [ $refused = yes ] && [ $grub = yes ] && [ $uki = yes ] && [ $pcrok = yes ] &&
	[ $mounted = yes ] && [ $signed = yes ]
