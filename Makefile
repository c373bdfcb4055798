# Entry points: `make run` (set up + API with the default model), `make test` (both test tiers:
# `make test-quick` first — no encoder, no servers, under a minute — then `make test-slow`).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup prepare run demo test test-quick test-slow lint bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet "torch==2.13.0" "setuptools>=77.0.3,<81"
	$(BIN)/pip install --quiet -e ".[dev,scale,postgres]"
	touch $(STAMP)

setup: $(STAMP)

prepare: setup
	$(BIN)/otklik prepare

run: prepare
	$(BIN)/otklik serve --host $(HOST) --port $(PORT)

demo: prepare
	$(BIN)/otklik demo
	$(BIN)/otklik serve --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check .

test-quick: setup lint
	$(BIN)/pytest -q -m "not slow"

test-slow: prepare
	$(BIN)/pytest -q -m slow

test: test-quick test-slow

bench: prepare
	$(BIN)/python benchmarks/throughput.py
