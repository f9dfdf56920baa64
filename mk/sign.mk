# igos-sign: Authenticode signatures for PE/COFF and kernel module signatures.
$(BUILD)/obj/lib/authenticode.o: lib/authenticode.h
$(BUILD)/obj/lib/modsig.o: lib/modsig.h
$(BUILD)/bin/igos-sign: lib/authenticode.h lib/modsig.h
$(BUILD)/tests/unit/sign-authenticode.t: lib/authenticode.h lib/modsig.h
BENCHES += tests/bench/igos-sign.sh
