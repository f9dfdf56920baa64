# igos-sign: Authenticode signatures for PE/COFF and kernel module signatures.
BENCHES += tests/bench/igos-sign.sh
