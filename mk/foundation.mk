# Test helpers of the foundation: the signer driver and the PKCS#11 wrapper.
TEST_HELPERS := $(BUILD)/tests/signtool $(BUILD)/tests/p11wrap.so
ALL_EXTRA += $(TEST_HELPERS)

$(BUILD)/tests/signtool: tests/lib/signtool.c $(LIBIGOS) lib/igos.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(IGOS_CFLAGS) $(LDFLAGS) $(IGOS_LDFLAGS) -o $@ $< $(LIBIGOS) $(BASE_LIBS)

$(BUILD)/tests/p11wrap.so: tests/lib/p11wrap.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -std=gnu11 -Wall -Wextra -Werror -shared -fPIC \
		$(call pc_cflags,p11-kit-1) -o $@ $< -ldl

TEST_HELPERS += $(BUILD)/tests/atomictool
ALL_EXTRA += $(BUILD)/tests/atomictool
$(BUILD)/tests/atomictool: tests/lib/atomictool.c $(LIBIGOS) lib/igos.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(IGOS_CFLAGS) $(LDFLAGS) $(IGOS_LDFLAGS) -o $@ $< $(LIBIGOS) $(BASE_LIBS)
