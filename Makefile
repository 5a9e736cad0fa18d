# The README's two commands. Each does all its own set-up on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint eval bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Runtime only: what `make demo` needs.
$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -e .
	touch $@

# Everything the tests need: NER extra (torch pinned to the CPU wheel on disk),
# console, Presidio benchmark and the dev tools.
$(VENV)/.full: pyproject.toml $(VENV)/.runtime
	$(BIN)/pip install -q --disable-pip-version-check "torch==2.13.0"
	$(BIN)/pip install -q --disable-pip-version-check -e ".[ner,console,bench,dev]"
	touch $@

demo: $(VENV)/.runtime
	$(BIN)/dlpbot demo

test: $(VENV)/.full
	$(BIN)/ruff check bot detectors tests bench
	$(BIN)/python -m pytest -q

eval: $(VENV)/.runtime
	$(BIN)/dlpbot eval tests/corpus/messages.jsonl

bench: $(VENV)/.full
	$(BIN)/python bench/bench_scan.py

clean:
	rm -rf $(VENV)
