# tests/t/996: igos-mok(1)'s examples: the efivars of the sandbox, a MOK in the
# working directory for the --hash-file example; passwords typed at the prompts.
docs_mok .
doc_tty "igos-mok import /etc/igos/mok.der" docs-password docs-password
doc_tty "openssl passwd -6*" docs-password docs-password
# the TPM example: a fresh software TPM of this page's own, named the way a
# user names one (TPM2TOOLS_TCTI); a GRUB image to block by its hash
need swtpm
mkdir -p "$W/.swtpm" /etc/kernel
for _i in 1 2 3 4 5 6 7 8; do
	_p=$(( 20000 + ( ($$ * 13 + _i * 7919 + RANDOM) % 19000 ) * 2 ))
	swtpm socket --tpm2 --flags startup-clear,not-need-init --tpmstate dir="$W/.swtpm" \
		--server type=tcp,port=$_p,bindaddr=127.0.0.1 \
		--ctrl type=tcp,port=$((_p + 1)),bindaddr=127.0.0.1 \
		--pid file="$W/.swtpm/pid" --daemon 2>/dev/null && break
done
[ -s "$W/.swtpm/pid" ] || skip_all "swtpm does not start"
trap 'kill "$(cat "$W/.swtpm/pid")" 2>/dev/null' EXIT
export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$_p"
cp /usr/lib/shim/shimx64.efi grubx64.efi
doc_tty "igos-mok import --blocklist*" docs-password docs-password
