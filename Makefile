# The two set-up commands (as root on Debian 12):  make demo   and   make test
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CMAKE_EXTRA ?=
# Paths relative to the checkout, so ccache hits across clones (CI builds a fresh clone).
export CCACHE_BASEDIR := $(CURDIR)

.PHONY: all deps configure build demo test test-unit clean

all: build

deps:
	@bash tools/install-deps.sh

configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_EXTRA); \
	fi

build: configure
	@ninja -C $(BUILD_DIR) -j $(JOBS)

# Runs a one-liner on the bundled leaky example: counts its mallocs by size.
demo: build
	@echo '== memscript -c ./$(BUILD_DIR)/tests/programs/leaky -e <count its mallocs by size>'
	@./$(BUILD_DIR)/memscript -c ./$(BUILD_DIR)/tests/programs/leaky -e \
	  'uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc { @mallocs_by_size[arg0] = count(); @bytes[comm] = sum(arg0); }'

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-unit: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L unit

clean:
	rm -rf $(BUILD_DIR)
