# igos-index-sign and igos-index-verify: the signed package index (issue 6).
$(BUILD)/obj/lib/indexsig.o: lib/indexsig.h
$(BUILD)/bin/igos-index-sign $(BUILD)/bin/igos-index-verify: lib/indexsig.h
$(BUILD)/tests/unit/index-%.t: lib/indexsig.h
BENCHES += tests/bench/igos-index.sh
