# igos-index-sign and igos-index-verify: the signed package index (issue 6).
BENCHES += tests/bench/igos-index.sh
# index-oom fails the library's allocations one at a time: they go through its wrappers
UNIT_LIBS_index-oom := -Wl,--wrap=malloc,--wrap=realloc,--wrap=calloc
