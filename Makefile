# Hub: the two commands are `make run` and `make test`; everything they need is installed here.
SWIFT  ?= swift
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8080
# Debian packages the build and the test run need (the C libraries come in through SwiftPM
# system-library targets; python3-venv makes the venv for the conformance suite; chromium runs
# the dashboard test, Tests/HubTests/Admin/AdminPageBrowserTests.swift, headless).
APT_PACKAGES := zlib1g-dev libssl-dev libsqlite3-dev pkg-config python3-venv chromium
# The Autobahn groups `make test` runs (the deflate groups 12.* and 13.* take minutes: `make conformance`).
QUICK_CASES := -i '1.*' -i '2.*' -i '3.*' -i '4.*' -i '5.*' -i '6.*' -i '7.*' -i '9.*' -i '10.*'

.PHONY: all build release run test unit-test conformance-quick conformance bench-protocol bench-smoke bench deps venv clean help

all: build

help:
	@echo "make run              build (release) and start the hub on $(HOST):$(PORT)"
	@echo "make test             every test: swift test, then Autobahn 1.*-10.* against a fresh hub"
	@echo "make conformance      all 517 Autobahn cases, deflate required; report in reports/autobahn"
	@echo "make bench-protocol   protocol-core micro-benchmarks (release)"
	@echo "make bench-smoke      hub-bench fan-out smoke: 1,000 sockets, loss check only (CI)"
	@echo "make bench            the benchmark suite (release; ~10 min): reports/bench/results.json, docs/BENCHMARKS.md,"
	@echo "                      docs/bench/*.svg; BENCH_RUNS=N runs per configuration (default 3)"

deps:
	@command -v $(SWIFT) >/dev/null 2>&1 || { echo "error: no Swift toolchain on PATH: install Swift 6 (6.0 or newer) first"; exit 1; }
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "error: missing packages:$$missing"; echo "run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

$(VENV)/.stamp: tools/requirements.txt
	@$(PYTHON) -m venv $(VENV) || { echo "error: '$(PYTHON) -m venv' failed; run: sudo apt-get install -y python3-venv"; exit 1; }
	@$(PY) -m pip install --quiet --disable-pip-version-check -r tools/requirements.txt
	@touch $@

venv: deps $(VENV)/.stamp

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product hub

run: release
	.build/release/hub serve --host $(HOST) --port $(PORT) --data-dir ./data

unit-test: venv
	$(SWIFT) build --build-tests
	$(SWIFT) test

conformance-quick: release venv
	AUTOBAHN_VENV=$(VENV) $(PY) tools/run_conformance.py --hub .build/release/hub --out reports/autobahn-quick $(QUICK_CASES)

test: unit-test conformance-quick

conformance: release venv
	AUTOBAHN_VENV=$(VENV) $(PY) tools/run_conformance.py --hub .build/release/hub --out reports/autobahn \
	  --markdown docs/CONFORMANCE.md --require-deflate

bench-protocol: deps
	$(SWIFT) build -c release --product hub-bench-protocol
	@mkdir -p reports
	.build/release/hub-bench-protocol --json reports/bench-protocol.json

bench-smoke: deps
	tools/bench_smoke.sh

# The standard suite (issue 6): fan-out, latency vs rate, echo, RSS per connection, deflate and the
# protocol micro-benchmarks, hub and hub-bench pinned to different cores; see docs/BENCHMARKS.md.
bench: deps
	$(SWIFT) build -c release --product hub
	$(SWIFT) build -c release --product hub-bench
	$(SWIFT) build -c release --product hub-bench-protocol
	$(PYTHON) tools/bench_suite.py

clean:
	rm -rf .build reports
