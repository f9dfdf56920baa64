#!/bin/sh
# igos-verity open/status/close in a qemu guest (Debian's cloud kernel with
# dm-mod and dm-verity as modules, direct kernel boot): a good image opens,
# reads back whole and is "verified"; a flipped data byte makes reads fail and
# status say "corrupted"; a wrong root hash is caught by open itself; a
# signature by a key the kernel does not trust is refused, and with
# require_signatures=1 an unsigned open is refused too. FEC: data blocks
# corrupted within FEC's reach read back as the original bytes (dmesg shows
# the correction), beyond its reach the read fails with EIO, and
# igos-verity verify gives the same verdict on the same images. One boot.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
need igos-verity openssl xxd
vm_need
vm_kernel

head -c $((1024 * 4096)) /dev/urandom > data.img
R=$(igos-verity format --fec-device fec.img data.img hash.img)
cp data.img bad.img
# 1024 data + 9 tree blocks, 253 per codeword: 5 rounds, a codeword's blocks
# are 5 apart. Two whole blocks in different codewords: within reach (one
# error in each codeword); three in the same codewords: beyond.
cp data.img fecok.img; cp data.img fecbad.img
for b in 100 301; do head -c 4096 /dev/urandom | dd of=fecok.img bs=4096 seek=$b conv=notrunc 2>/dev/null; done
for b in 100 105 110; do head -c 4096 /dev/urandom | dd of=fecbad.img bs=4096 seek=$b conv=notrunc 2>/dev/null; done
printf 'x' | dd of=bad.img bs=1 seek=$((1000 * 4096 + 7)) conv=notrunc 2>/dev/null
case $R in 0*) W=1${R#?} ;; *) W=0${R#?} ;; esac
umask 077
openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out k.crt -subj /CN=untrusted -days 30 2>/dev/null
umask 022
igos-verity sign -k k.pem -c k.crt -o untrusted.p7s "$R"
printf '%s\n' "$R" > roothash
printf '%s\n' "$W" > wrongroot

BIN=$(command -v igos-verity)
cat > init <<'INIT'
#!/bin/sh
export PATH=@BINDIR@:/bin DM_DISABLE_UDEV=1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /run/cryptsetup /run/lock
dmesg -n 1
while read -r m; do insmod /lib/modules/$m.ko || echo "IGOS-MOD $m failed"; done </lib/modules/order
R=$(cat /roothash)
t() {
	name=$1; shift
	"$@" >/tmp/out 2>/tmp/err
	echo "IGOS-T $name rc=$?"
	sed "s/^/IGOS-O $name: /" /tmp/out
	sed "s/^/IGOS-E $name: /" /tmp/err
}
t open-good igos-verity open /dev/vda vroot /dev/vdb "$R"
t read-good cmp /dev/mapper/vroot /dev/vda
t status-good igos-verity status vroot
t status-json igos-verity status --json vroot
t close-good igos-verity close vroot
t status-closed igos-verity status vroot
t open-bad igos-verity open /dev/vdc vbad /dev/vdb @/roothash
t read-bad dd if=/dev/mapper/vbad of=/dev/null bs=4096
t status-bad igos-verity status vbad
t close-bad igos-verity close vbad
t open-wrong igos-verity open /dev/vda vwrong /dev/vdb @/wrongroot
t status-wrong igos-verity status vwrong
t fec-open igos-verity open --fec-device /dev/vdf /dev/vdd vfec /dev/vdb "$R"
t fec-read cmp /dev/mapper/vfec /dev/vda
t fec-status igos-verity status vfec
t fec-close igos-verity close vfec
t fecbad-open igos-verity open --fec-device /dev/vdf /dev/vde vfecbad /dev/vdb "$R"
t fecbad-read dd if=/dev/mapper/vfecbad of=/dev/null bs=4096 skip=100 count=1
t fecbad-close igos-verity close vfecbad
t open-untrusted igos-verity open --signature /untrusted.p7s /dev/vda vsig /dev/vdb "$R"
t status-untrusted igos-verity status vsig
# the kernel requiring signatures (the parameter dm_verity.require_signatures=1
# of the command line, given to the module as modprobe would)
rmmod dm_verity
insmod /lib/modules/dm_verity.ko $(tr ' ' '\n' </proc/cmdline | sed -n 's/^dm_verity\.//p')
t require-param cat /sys/module/dm_verity/parameters/require_signatures
t open-unsigned-req igos-verity open /dev/vda vreq /dev/vdb "$R"
t open-untrusted-req igos-verity open --signature /untrusted.p7s /dev/vda vreq2 /dev/vdb "$R"
dmesg | grep -i verity | sed 's/^/IGOS-K /'
# the keyrings the signature check uses (built-in, secondary with .machine)
grep -E 'keyring +\.(builtin_trusted_keys|secondary_trusted_keys|machine|platform)' /proc/keys |
	sed 's/^/IGOS-KEYS /'
echo IGOS-TEST-DONE
poweroff -f
INIT
sed -i "s|@BINDIR@|${BIN%/*}|" init

vm_initrd initrd.img --init init \
	--modules "virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk dm-mod dm-bufio reed_solomon dm-verity" \
	--bin "$BIN" \
	--file roothash:/roothash --file wrongroot:/wrongroot --file untrusted.p7s:/untrusted.p7s ||
	skip_all "cannot build the initrd"

plan 30
vm_boot_kernel "$VM_VMLINUZ" initrd.img "quiet dm_verity.require_signatures=1" log \
	--disk data.img:ro --disk hash.img:ro --disk bad.img:ro --disk fecok.img:ro \
	--disk fecbad.img:ro --disk fec.img:ro --timeout 180
is "$?" 0 "the guest ran to the end"
tr -d "\r" <log >serial; cp serial "${VERITY_VM_LOG:-/dev/null}" 2>/dev/null || :

# line NAME: the guest's stderr (or stdout) lines of one step
rc() { sed -n "s/.*IGOS-T $1 rc=//p" serial; }
out() { sed -n "s/^IGOS-O $1: //p" serial; }
errl() { sed -n "s/^IGOS-E $1: //p" serial; }

is "$(rc open-good)" 0 "open: a good image activates"
is "$(rc read-good)" 0 "the device reads back whole, equal to the data"
is "$(rc status-good)" 0 "status of a good device"
is "$(out status-good | sed -n 's/^status: *//p')" verified "status says verified"
is "$(out status-good | sed -n 's/^root hash: *//p')" "$R" "status shows the root hash"
is "$(out status-json | tr -d ' \n' | grep -o '"status":"[a-z]*"')" '"status":"verified"' "status --json"
is "$(rc close-good)" 0 "close"
is "$(errl status-closed)" "igos-verity: 'vroot' is not active" "status after close: not active"

is "$(rc open-bad)" 0 "a flipped byte in block 1000: open (reads block 0) succeeds"
case $(errl read-bad) in *"Input/output error"*) r=0 ;; *) r=1 ;; esac
ok "reading the corrupted device fails with an I/O error" test "$(rc read-bad)" != 0 -a $r = 0
is "$(out status-bad | sed -n 's/^status: *//p')" corrupted "status then says corrupted"
is "$(rc status-bad)/$(errl status-bad)" "1/igos-verity: 'vbad' is corrupted" "status of a corrupted device fails"

is "$(rc open-wrong)" 1 "open with a wrong root hash fails"
is "$(errl open-wrong)" "igos-verity: 'vwrong': root hash does not match '/dev/vdb': the device is corrupted (deactivated)" \
	"the wrong root hash is reported"
is "$(errl status-wrong)" "igos-verity: 'vwrong' is not active" "and the device is not left behind"

is "$(rc fec-open)" 0 "FEC: two corrupted blocks within reach: open"
is "$(rc fec-read)" 0 "FEC: the kernel returns the original bytes"
ok "FEC: dmesg shows the correction" grep -q "^IGOS-K .*verity-fec.*corrected" serial
is "$(out fec-status | sed -n 's/^status: *//p')" verified "FEC: status stays verified"
igos-verity verify --fec-device fec.img fecok.img hash.img "$R" >v.out 2>v.err
is "$?/$(cat v.out)" "0/2 blocks corrected by FEC" "igos-verity verify: the same verdict, both blocks corrected"
is "$(rc fecbad-open)" 0 "FEC: three blocks in one codeword (block 0 fine): open"
case $(errl fecbad-read) in *"Input/output error"*) r=0 ;; *) r=1 ;; esac
ok "FEC: beyond reach the read fails with EIO" test "$(rc fecbad-read)" != 0 -a $r = 0
igos-verity verify --fec-device fec.img fecbad.img hash.img "$R" >v.out 2>v.err
is "$?/$(cat v.err)" "1/igos-verity: data block 100 (offset 409600) does not match hash block 2 (beyond FEC's reach)" \
	"igos-verity verify: the same verdict, beyond reach"
diag "$(grep '^IGOS-K .*verity-fec' serial | head -n 5)"

is "$(rc open-untrusted)" 1 "a signature by an untrusted key is refused"
diag "untrusted signature: $(errl open-untrusted)"
is "$(errl status-untrusted)" "igos-verity: 'vsig' is not active" "nothing activated with the untrusted signature"
is "$(out require-param)" Y "dm_verity.require_signatures=1 in force"
is "$(rc open-unsigned-req)" 1 "signatures required: an unsigned open is refused"
diag "unsigned, required: $(errl open-unsigned-req)"
is "$(rc open-untrusted-req)" 1 "signatures required: an untrusted signature is refused"
ok "the kernel logged its refusal of the untrusted signature" \
	grep -q "^IGOS-K .*verity: Root hash verification failed (-ENOKEY)" serial
diag "$(grep '^IGOS-K .*Root hash verification' serial)" "$(grep '^IGOS-KEYS' serial)"
done_testing
