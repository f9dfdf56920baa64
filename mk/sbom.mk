# igos-sbom: deterministic SPDX 2.3 JSON (json-c writes it).
LIBS_igos-sbom := $(call pc_libs,json-c)
CFLAGS_igos-sbom := $(call pc_cflags,json-c)
BENCHES += tests/bench/igos-sbom.sh
