# Fixture for the igos-sbom tests: a shim-like build in the current directory.
#   sbom_fixture: makes shim-16.1.tar.bz2 (a source tarball), patches/0001-*.patch
#   and patches/0002-*.patch, certs/vendor.der (a vendor certificate) and
#   build/shimx64.efi (Debian's shim-unsigned). SPDX_SCHEMA is the schema file
#   (which may be absent).
# sbom_shim [ARG]...: igos-sbom over that build, with more arguments.
# sbom_q FILE PYEXPR: print a Python expression over the document d.

SPDX_SCHEMA_DIR=${SPDX_SCHEMA_DIR:-$IGOS_SRC/../shared/data/spdx-2.3}
SPDX_SCHEMA=$SPDX_SCHEMA_DIR/spdx-schema.json
# Debian's python3 and python3-jsonschema, whatever else is first in PATH.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
SPDX_CHECK="$PY $TESTLIB/spdx-check.py"
SHIM_EFI=/usr/lib/shim/shimx64.efi
SHIM_URL=https://github.com/rhboot/shim/releases/download/16.1/shim-16.1.tar.bz2

sbom_fixture() {
	[ -r "$SHIM_EFI" ] || skip_all "$SHIM_EFI missing (shim-unsigned; make deps)"
	mkdir -p shim-16.1 patches certs build
	printf 'EFI_STATUS efi_main(void) { return 0; }\n' > shim-16.1/shim.c
	printf 'all:\n\t$(CC) -c shim.c\n' > shim-16.1/Makefile
	tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		-cjf shim-16.1.tar.bz2 shim-16.1 || return 1
	cp shim-16.1/shim.c shim.c.orig
	sed 's/return 0;/return 1;/' shim.c.orig > shim.c.new
	diff -u shim.c.orig shim.c.new > patches/0001-return-an-error.patch
	printf '/* SBAT */\n' >> shim.c.new
	diff -u shim.c.orig shim.c.new > patches/0002-sbat.patch
	rm -f shim.c.orig shim.c.new
	openssl req -x509 -newkey rsa:2048 -nodes -keyout certs/vendor.key \
		-subj '/CN=InterGenOS Secure Boot CA/' -days 3650 -outform DER \
		-out certs/vendor.der 2>/dev/null || return 1
	rm -f certs/vendor.key
	cp "$SHIM_EFI" build/shimx64.efi
}

sbom_shim() {
	igos-sbom --name shim --package-version 16.1 --supplier 'Organization: InterGenOS' \
		--license BSD-2-Clause-Patent --source "shim-16.1.tar.bz2=$SHIM_URL" \
		--patch patches/0001-return-an-error.patch --patch patches/0002-sbat.patch \
		--input certs/vendor.der --artifact build/shimx64.efi "$@"
}

sbom_q() {
	"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
