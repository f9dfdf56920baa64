# keys held by the TPM (lib/tpmkey.c, linked through BASE_LIBS): the signing bench
BENCHES += tests/bench/tpm.sh
