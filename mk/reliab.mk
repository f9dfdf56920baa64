# Reliability: fuzz targets' extra libraries, the fault-injection shim
# (LD_PRELOAD) the fault tests use.
FUZZ_LIBS_verity := -lpthread

FAULTINJECT := $(BUILD)/tests/faultinject.so
ALL_EXTRA += $(FAULTINJECT)

$(FAULTINJECT): tests/lib/faultinject.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wall -Wextra -Werror -fPIC -shared -D_GNU_SOURCE -o $@ $< -ldl
