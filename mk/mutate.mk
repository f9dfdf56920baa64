# make mutate FILE=lib/x.c [TESTS='t ...'] [SEED=n] [LIMIT=n] [LINES=a-b] [MIN=pct] [BUILD='targets']
# Mutation testing of one file (tests/mutate/mutate.py): which one-operator
# changes does no test notice? Tests covering each file: tests/mutate/map.
.PHONY: mutate
mutate:
	@test -n "$(FILE)" || { echo "usage: make mutate FILE=lib/x.c [TESTS='...'] [SEED=n] [LIMIT=n] [LINES=a-b] [MIN=pct] [BUILD='targets']" >&2; exit 2; }
	python3 tests/mutate/mutate.py $(FILE) $(if $(TESTS),--tests '$(TESTS)') \
		$(if $(SEED),--seed $(SEED)) $(if $(LIMIT),--limit $(LIMIT)) \
		$(if $(LINES),--lines $(LINES)) $(if $(MIN),--min $(MIN)) $(if $(BUILD),--build '$(BUILD)')
