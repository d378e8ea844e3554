# The front door. `make run` and `make test` install what is missing (scripts/setup.sh), build and
# go; nothing else needs to be done by hand on a fresh Debian 12 machine. `make run` builds only the
# service binaries it starts (the sd_services target), not every test and benchmark.
PRESET ?= release
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
BUILD_TARGET ?= all
BUILD_DIR := $(if $(filter release,$(PRESET)),build,build-$(PRESET))

.PHONY: setup configure build test run bench fmt fmt-check tidy thread-safety fuzz clean

setup:
	@scripts/setup.sh

configure: setup
	@cmake --preset $(PRESET) $(CMAKE_FLAGS) > /dev/null

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS) --target $(BUILD_TARGET)

test: build
	@ctest --preset $(PRESET) $(CTEST_FLAGS)

run: configure
	@cmake --build --preset $(PRESET) -j $(JOBS) --target sd_services
	@scripts/run.sh $(BUILD_DIR)

bench: build
	@bench/run.sh $(BUILD_DIR)

fmt:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

fmt-check:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

# clang-tidy with .clang-tidy's checks; TIDY_SCOPE=domain (no Asio/Beast TUs, what CI runs), all, or
# changed:REF.
TIDY_SCOPE ?= domain
tidy: configure
	@scripts/tidy.sh $(BUILD_DIR) $(TIDY_SCOPE)

# clang's -Wthread-safety (SD_GUARDED_BY / SD_REQUIRES, core/base/mutex.hpp), parse only;
# THREAD_SAFETY_SCOPE=annotated (the TUs that can see an annotation, what CI runs), all, domain or
# changed:REF.
THREAD_SAFETY_SCOPE ?= annotated
thread-safety: configure
	@scripts/thread_safety.sh $(BUILD_DIR) $(THREAD_SAFETY_SCOPE)

fuzz: setup
	@cmake --preset fuzz > /dev/null && cmake --build --preset fuzz -j $(JOBS)

clean:
	rm -rf build build-*
