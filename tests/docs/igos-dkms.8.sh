# tests/t/996: igos-dkms(8)'s example: the package's example uki.conf where the
# package puts it, the password of the enrolment typed at the prompts. DKMS
# itself is run by tests/t/141-dkms-sign.t (against the VM kernel's headers)
# and tests/vm/dkms-module.t (the module loaded under sig_enforce).
doc_tty "igos-mok import*" docs-password docs-password
doc_not_run 'dkms autoinstall' "builds the installed DKMS modules against the running kernel's \
headers, which this machine has not (tests/t/141-dkms-sign.t builds one against the VM kernel's)"
doc_not_run 'modinfo -F signer*' "reads the modules dkms autoinstall would have built"
mkdir -p "$W/.sandbox/doc.up" "$W/.sandbox/doc.wk" &&
	mount -t overlay overlay -o "lowerdir=/usr/share/doc,upperdir=$W/.sandbox/doc.up,workdir=$W/.sandbox/doc.wk" \
		/usr/share/doc &&
	install -D -m 0644 "$IGOS_SRC/debian/uki.conf.example" /usr/share/doc/igos/examples/uki.conf
mkdir -p /etc/kernel
