# lvsim front door. `make demo` and `make test` work on a fresh Debian 12 machine.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 600
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# One compiler cache for every checkout of the project: paths under the
# checkout are hashed relative to it, so a fresh clone reuses earlier builds.
export CCACHE_DIR ?= $(HOME)/.cache/lvsim-ccache
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_NOHASHDIR ?= 1

# Every Debian package the project needs to build, test, benchmark and fuzz.
# (ns3 itself is needed only because ns-3's CMake config checks that its
# helper binaries exist. libgsl-dev, libsqlite3-dev and libxml2-dev because
# ns-3's exported targets link /usr/lib/x86_64-linux-gnu/lib{gsl,gslcblas,
# sqlite3,xml2}.so by path, and libpython3.11-dev because they name
# /usr/include/python3.11 as an include directory, which a project importing
# the installed lvsim package (tests/install) must find; libns3-dev pulls in
# none of them. Checked in a debootstrap'ed Debian 12, where `make demo`
# and `make test` failed without them.)
DEPS := build-essential cmake ninja-build ccache pkg-config \
        clang libclang-rt-14-dev \
        libgtest-dev libgmock-dev libbenchmark-dev \
        libpcap-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libfmt-dev \
        libns3-dev ns3 libgsl-dev libsqlite3-dev libxml2-dev libpython3.11-dev \
        libboost-graph-dev libgoogle-perftools-dev \
        tshark

.PHONY: deps configure build test demo core-demo bench asan fuzz clean

deps:
	@missing=$$(for p in $(DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing: $$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

configure: deps
	cmake --preset default

build: configure
	cmake --build --preset default -j $(JOBS)

test: build
	ctest --preset default

# The main job: simulate the textbook LVS NAT scenario; results go to results/nat-basic/.
demo: build
	./build/bin/lvsim run scenarios/nat-basic.yaml

# The engine alone, on generated packets, with ipvsadm listings.
core-demo: build
	./build/bin/lvs-core-demo

bench: build
	./build/bin/core_bench

# The asan preset builds core/ and its suites only (LVS_BUILD_SIM=OFF).
asan: deps
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan

# Each libFuzzer target for FUZZ_SECONDS; the corpora stay in build-fuzz/corpus/.
fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz -j $(JOBS)
	@set -e; for f in build-fuzz/bin/fuzz_*; do \
	  name=$$(basename $$f); mkdir -p build-fuzz/corpus/$$name; \
	  seeds=tests/fuzz/corpus/$$name; [ -d $$seeds ] || seeds=; \
	  echo "== $$name for $(FUZZ_SECONDS) s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 build-fuzz/corpus/$$name $$seeds 2>&1 \
	    | grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done|==[0-9]+==ERROR|SUMMARY)' ; \
	  test $${PIPESTATUS[0]} -eq 0; \
	done

clean:
	rm -rf build build-asan build-fuzz
