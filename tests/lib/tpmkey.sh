# Keys in the TPM (tests/t/15x-tpmkey-*.t, tests/vm/tpm-key-boot.t), sourced
# after tap.sh: a fresh swtpm per test (measure-swtpm.sh) and the tpm2-openssl
# provider as the peer.
#   tpm_fresh      a new TPM; exports TPM2TOOLS_TCTI (tpm2-tools, igos) and
#                  TPM2OPENSSL_TCTI (the provider) for it; TCTI holds the conf
#   tpm_restart    an orderly restart, state kept: the provider leaves hash
#                  sequences loaded and a raw swtpm (no resource manager) has
#                  three slots; TPM2_Shutdown first, as an unorderly one counts
#                  as a dictionary-attack failure
#   OSSL_TPM       the provider options of openssl commands
#   tpm_ossl_conf  writes $T/tpm2.cnf: an OPENSSL_CONF that loads the default
#                  and tpm2 providers, the TPM preferred (sbsign has no -provider)
#   tss2_edit IN   rewrites the DER of a TSS2 key file, once for each line
#                  "OUT PY" of its standard input: PY is a python expression of
#                  d (the DER bytes), b (the fields inside the outer SEQUENCE)
#                  and seq(x) (x wrapped in a SEQUENCE), whose value is the DER
#                  written to OUT (mode 0600)
#   da_count       the TPM's dictionary-attack failure counter (decimal)
. "$TESTLIB/measure-swtpm.sh"
OSSL_TPM="-provider tpm2 -provider default"

tpm_fresh() {
	swtpm_start || skip_all "swtpm does not start"
	TCTI=$SWTPM_TCTI TPM2TOOLS_TCTI=$SWTPM_TCTI TPM2OPENSSL_TCTI=$SWTPM_TCTI
	export TPM2TOOLS_TCTI TPM2OPENSSL_TCTI
}

tpm_restart() {
	tpm2_shutdown -c >/dev/null 2>&1
	swtpm_start keep || skip_all "swtpm does not restart"
	TCTI=$SWTPM_TCTI TPM2TOOLS_TCTI=$SWTPM_TCTI TPM2OPENSSL_TCTI=$SWTPM_TCTI
	export TPM2TOOLS_TCTI TPM2OPENSSL_TCTI
}

tpm_ossl_conf() {
	cat >"$T/tpm2.cnf" <<'C'
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
alg_section = evp_properties
[provider_sect]
default = default_sect
tpm2 = tpm2_sect
[default_sect]
activate = 1
[tpm2_sect]
activate = 1
[evp_properties]
default_properties = ?provider=tpm2
C
}

tss2_edit() { # IN, then lines "OUT PYEXPR" on stdin (one python for all)
	python3 -c '
import base64, os, sys
t = open(sys.argv[1]).read().split("-----")
d = base64.b64decode("".join(t[2].split()))
def seq(x):
    n = len(x)
    return b"\x30" + (bytes([n]) if n < 128 else b"\x81" + bytes([n]) if n < 256
                      else b"\x82" + n.to_bytes(2, "big")) + x
hl = 2 + (d[1] & 0x7f if d[1] & 0x80 else 0)
for line in sys.stdin:
    dst, expr = line.strip().split(" ", 1)
    n = eval(expr, {"d": d, "b": d[hl:], "seq": seq})
    e = base64.b64encode(n).decode()
    body = "\n".join(e[i:i + 64] for i in range(0, len(e), 64))
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, ("-----BEGIN TSS2 PRIVATE KEY-----\n" + body +
                  "\n-----END TSS2 PRIVATE KEY-----\n").encode())
    os.close(fd)
' "$1"
}

da_count() {
	tpm2_getcap properties-variable 2>/dev/null |
		sed -n 's/^TPM2_PT_LOCKOUT_COUNTER: 0x//p' | (read -r h; echo $((0x$h)))
}
