# igos-sbkeys: the owner's PK/KEK/db/dbx (lib/sbvar.c authenticated updates,
# lib/tpmlog.c the firmware's TPM event log, lib/secboot.c for dbx judgements).
$(BUILD)/obj/lib/sbvar.o: lib/sbvar.h lib/efivar.h
$(BUILD)/obj/lib/tpmlog.o: lib/tpmlog.h
$(FUZZ_BUILD)/obj/sbvar.o: lib/sbvar.h lib/efivar.h
$(FUZZ_BUILD)/obj/tpmlog.o: lib/tpmlog.h
