# igos-index-sign and igos-index-verify: the signed package index (issue 6).
BENCHES += tests/bench/igos-index.sh
