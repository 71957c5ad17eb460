# make fuzz: the image reader and record validators under libFuzzer, with
# ASan and UBSan, FUZZ_RUNS executions (default one million) from the seed
# corpus fuzz/corpus.  clang-14 and its libFuzzer runtime (Debian's
# clang-14, libclang-rt-14-dev) are installed with apt-get when missing and
# we are root.  New corpus entries
# go to $(FUZZ_B)/fuzz/corpus, crashes to $(FUZZ_B)/fuzz/crash-*: copy a
# crash into fuzz/regressions/ and `make test` replays it for good
# (tests/unit/fuzz_replay.c).
FUZZ_CC    ?= clang-14
FUZZ_RUNS  ?= 1000000
FUZZ_ARGS  ?=
FUZZ_B     := build-fuzz
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

fuzz:
	@if ! command -v $(FUZZ_CC) >/dev/null || \
	    [ ! -f "$$($(FUZZ_CC) -print-runtime-dir)/libclang_rt.fuzzer-x86_64.a" ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y clang-14 libclang-rt-14-dev; else \
			echo "make fuzz: needs $(FUZZ_CC) and libFuzzer (apt-get install clang-14 libclang-rt-14-dev)"; \
			exit 1; \
		fi; \
	fi
	$(MAKE) B=$(FUZZ_B) CC=$(FUZZ_CC) OPT=-O1 SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" $(FUZZ_B)/libsudcr.a
	@mkdir -p $(FUZZ_B)/fuzz/corpus
	$(FUZZ_CC) -std=gnu11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -Iinclude -Ilib -DSUDCR_LIBFUZZER \
		$(FUZZ_SAN) -fsanitize=fuzzer -o $(FUZZ_B)/fuzz/fuzz_image fuzz/fuzz_image.c $(FUZZ_B)/libsudcr.a -lpthread
	$(FUZZ_B)/fuzz/fuzz_image -runs=$(FUZZ_RUNS) -max_len=65536 -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_B)/fuzz/ $(FUZZ_ARGS) $(FUZZ_B)/fuzz/corpus fuzz/corpus

.PHONY: fuzz

# The replay test #includes the fuzz target.
$(B)/tests/unit/fuzz_replay: fuzz/fuzz_image.c
