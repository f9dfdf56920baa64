# make mutate FILE=lib/x.c [TESTS='t ...'] [SEED=n] [LIMIT=n] [LINES=a-b] [MIN=pct] [TARGETS='make targets'] [COVER=0] [CHECKEQ=1]
# Mutation testing of one file (tests/mutate/mutate.py): which one-operator
# (TARGETS, not BUILD: BUILD is the Makefile's build directory.)
# changes does no test notice? Tests covering each file: tests/mutate/map.
.PHONY: mutate
mutate:
	@test -n "$(FILE)" || { echo "usage: make mutate FILE=lib/x.c [TESTS='...'] [SEED=n] [LIMIT=n] [LINES=a-b] [MIN=pct] [TARGETS='make targets'] [COVER=0] [CHECKEQ=1]" >&2; exit 2; }
	python3 tests/mutate/mutate.py $(FILE) $(if $(TESTS),--tests '$(TESTS)') \
		$(if $(SEED),--seed $(SEED)) $(if $(LIMIT),--limit $(LIMIT)) \
		$(if $(LINES),--lines $(LINES)) $(if $(MIN),--min $(MIN)) $(if $(TARGETS),--build '$(TARGETS)') \
		$(if $(filter 0,$(COVER)),--no-cover) $(if $(filter 1,$(CHECKEQ)),--check-equivalents)
