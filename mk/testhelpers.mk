# Programs the tests run: the signer driver, the atomic-write driver, the
# PKCS#11 wrapper and the fault-injection shim (LD_PRELOAD) of the fault tests.
TEST_HELPERS := $(BUILD)/tests/signtool $(BUILD)/tests/atomictool $(BUILD)/tests/p11wrap.so \
	$(BUILD)/tests/p11fail.so
FAULTINJECT  := $(BUILD)/tests/faultinject.so
ALL_EXTRA += $(TEST_HELPERS) $(FAULTINJECT)

$(BUILD)/tests/signtool $(BUILD)/tests/atomictool: $(BUILD)/tests/%: tests/lib/%.c $(LIBIGOS) $(DEPSTAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(IGOS_CFLAGS) $(DEPFLAGS) $(LDFLAGS) $(IGOS_LDFLAGS) -o $@ $< $(LIBIGOS) $(BASE_LIBS)

$(BUILD)/tests/p11wrap.so $(BUILD)/tests/p11fail.so: $(BUILD)/tests/%.so: tests/lib/%.c $(DEPSTAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -std=gnu11 -Wall -Wextra -Werror $(DEPFLAGS) -shared -fPIC \
		$(call pc_cflags,p11-kit-1) -o $@ $< -ldl

$(FAULTINJECT): tests/lib/faultinject.c $(DEPSTAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wall -Wextra -Werror $(DEPFLAGS) -fPIC -shared -D_GNU_SOURCE -o $@ $< -ldl
