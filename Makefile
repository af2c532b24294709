# Two commands a newcomer needs (see README.md):
#   make lab    set up, then open the course in JupyterLab
#   make test   set up, then run the whole test suite
# Each creates the virtual environment in .venv on first use and refreshes it
# whenever pyproject.toml changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup lab test lint bench refresh clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,grading]"
	touch $@

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=lectures

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_fit.py
	$(BIN)/python benchmarks/bench_widgets.py

# Re-execute the instructor notebooks in place, storing fresh outputs
# (after a change to emlib or a lesson; nbval then compares against these).
refresh: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.record_timing=False --ExecutePreprocessor.store_widget_state=False \
		--ExecutePreprocessor.timeout=120 \
		solutions/*/*.ipynb

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
