# The two set-up commands (as root on Debian 12):  make demo   and   make test
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CMAKE_EXTRA ?=
# Paths relative to the checkout, so ccache hits across clones (CI builds a fresh clone).
export CCACHE_BASEDIR := $(CURDIR)
# Debug-info builds (ASan, fuzz) too: do not hash the build directory.
export CCACHE_NOHASHDIR := 1

.PHONY: all deps configure build demo test test-unit test-asan fuzz bench clean

all: build

deps:
	@bash tools/install-deps.sh

configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_EXTRA); \
	fi

build: configure
	@ninja -C $(BUILD_DIR) -j $(JOBS)

# The main job: the bundled leak detector, scripts/memleak.ms, runs the leaky
# example program and prints BCC memleak's report of what it left allocated.
demo: build
	@echo '== memscript scripts/memleak.ms -c $(BUILD_DIR)/tests/programs/leaky'
	@$(BUILD_DIR)/memscript scripts/memleak.ms -c $(BUILD_DIR)/tests/programs/leaky

# Fuzzes lexer + parser + checks with libFuzzer (clang) for FUZZ_SECONDS.
FUZZ_SECONDS ?= 300
FUZZ_DIR ?= build-fuzz
fuzz: deps
	@if [ ! -f $(FUZZ_DIR)/build.ninja ]; then \
	  CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMEMSCRIPT_FUZZ=ON; \
	fi
	@ninja -C $(FUZZ_DIR) -j $(JOBS) parser_fuzzer
	@python3 tests/fuzz/make_corpus.py . $(FUZZ_DIR)/corpus
	@mkdir -p $(FUZZ_DIR)/findings
	@$(FUZZ_DIR)/tests/fuzz/parser_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 \
	  -artifact_prefix=$(FUZZ_DIR)/findings/ -print_final_stats=1 $(FUZZ_DIR)/corpus 2>&1 | \
	  grep -E '^(stat::number_of_executed_units|stat::peak_rss|==[0-9]+==|SUMMARY|INFO: (Seed|Running|Loaded))|Done' || true
	@if ls $(FUZZ_DIR)/findings/crash-* $(FUZZ_DIR)/findings/timeout-* $(FUZZ_DIR)/findings/leak-* >/dev/null 2>&1; then \
	  echo "fuzz: findings in $(FUZZ_DIR)/findings"; exit 1; fi

# Benchmarks side by side (needs root; takes a few minutes); rewrites the
# tables in docs/benchmarks.md. Timings are never asserted in tests.
BENCH_REPS ?= 5
bench: build
	@python3 bench/startup.py $(BUILD_DIR)/memscript $(BENCH_REPS) --update-doc=docs/benchmarks.md
	@python3 bench/memleak_scale.py $(BUILD_DIR) 3 1000000 --update-doc=docs/benchmarks.md
	@python3 bench/bpf_prog_cost.py $(BUILD_DIR) --update-doc=docs/benchmarks.md
	@python3 bench/alloc_overhead.py $(BUILD_DIR) $(BENCH_REPS) --update-doc docs/benchmarks.md

# Every test, unit and real-kernel (the latter need root; with
# MEMSCRIPT_REQUIRE_BPF=1 a missing kernel feature fails instead of skipping).
test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The unit and runtime suites again on an ASan+UBSan build.
ASAN_DIR ?= build-asan
test-asan: deps
	@if [ ! -f $(ASAN_DIR)/build.ninja ]; then \
	  cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMEMSCRIPT_SANITIZE=ON; \
	fi
	@ninja -C $(ASAN_DIR) -j $(JOBS)
	@cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) $(ASAN_CTEST_ARGS)

test-unit: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L unit

clean:
	rm -rf $(BUILD_DIR)
