# lib/grubimg.c: the modules of a GRUB core image (igos-sbom).
$(BUILD)/obj/lib/grubimg.o: lib/grubimg.h
$(FUZZ_BUILD)/obj/grubimg.o: lib/grubimg.h
$(BUILD)/obj/lib/bootentry.o: lib/bootentry.h
$(FUZZ_BUILD)/obj/bootentry.o: lib/bootentry.h
