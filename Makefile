# The two commands of the quickstart: `make demo` and `make test`.
# Both install missing Debian packages, configure, build, then do their job.

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build test demo sanitize bench clean

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

demo: build
	@scripts/demo $(BUILD_DIR)

# Every test under AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize:
	@$(MAKE) test BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_FLAGS="-DLEADROUTER_SANITIZE=ON -DLEADROUTER_BUILD_BENCH=OFF"

# Benchmarks are measured on an optimized (-O3) build of their own.
bench:
	@$(MAKE) build BUILD_DIR=build-release BUILD_TYPE=Release CMAKE_FLAGS="-DLEADROUTER_BUILD_TESTS=OFF"
	@scripts/bench build-release

clean:
	rm -rf $(BUILD_DIR) build-asan build-release
