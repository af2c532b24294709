# Two commands a newcomer needs (see README.md):
#   make lab    set up, then open the course in JupyterLab
#   make test   set up, then run the whole test suite
# Each creates the virtual environment in .venv on first use and refreshes it
# whenever pyproject.toml changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The browser the end-to-end test of the sliders drives (tests/test_e2e_lab.py): Debian's
# Chromium, never one downloaded by Playwright.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
# The sandbox student code runs in while it is graded (coursetools/sandbox.py).
BWRAP := /usr/bin/bwrap

.PHONY: setup lab test lint bench bench-browser bench-scale refresh clean \
	release collect autograde manual export feedback

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,grading,scale]"
	touch $@

# JupyterLab on lectures/, as jupyter_lab_config.py sets it up (the end-to-end test starts
# the lab from the same file).
lab: $(STAMP)
	$(BIN)/jupyter lab --config=$(CURDIR)/jupyter_lab_config.py

test: $(STAMP) $(CHROMIUM) $(BWRAP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Installed when missing and running as root (as CI does); anyone else is told how.
$(CHROMIUM):
	@if [ "$$(id -u)" != 0 ]; then \
		echo "$(CHROMIUM) is missing: the end-to-end test of the sliders drives Chromium." >&2; \
		echo "Install it with 'sudo apt-get install chromium' (Debian), or name one you have" >&2; \
		echo "with CHROMIUM=/path/to/chromium, then run 'make test' again." >&2; \
		exit 1; \
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

$(BWRAP):
	@if [ "$$(id -u)" != 0 ]; then \
		echo "$(BWRAP) is missing: grading runs student code in bubblewrap's sandbox." >&2; \
		echo "Install it with 'sudo apt-get install bubblewrap' (Debian), then run" >&2; \
		echo "'make test' again." >&2; \
		exit 1; \
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_fit.py
	$(BIN)/python benchmarks/bench_widgets.py

# EM at scale: threads, scikit-learn, the exp floor, dask on a LocalCluster (about 2 minutes).
bench-scale: $(STAMP)
	$(BIN)/python benchmarks/bench_scale.py

# Slider latency in JupyterLab, in the Chromium the end-to-end test drives (about 5 minutes).
bench-browser: $(STAMP) $(CHROMIUM)
	$(BIN)/python benchmarks/bench_browser.py

# Re-execute the instructor notebooks in place, storing fresh outputs
# (after a change to emlib or a lesson; nbval then compares against these).
refresh: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.record_timing=False --ExecutePreprocessor.store_widget_state=False \
		--ExecutePreprocessor.timeout=120 \
		solutions/*/*.ipynb

# The instructor's cycle (README, "For instructors"). Each runs nbgrader from
# here through coursetools, e.g.
#   make release
#   make collect LESSON=01_generative_model FROM=~/inbox
#   make autograde LESSON=01_generative_model
#   make manual SCORES=written.csv
#   make export
#   make feedback LESSON=01_generative_model
COURSE := $(BIN)/python -m coursetools

release: $(STAMP)
	$(COURSE) release

collect: $(STAMP)
	$(COURSE) collect $(LESSON) $(FROM)

autograde: $(STAMP) $(BWRAP)
	$(COURSE) autograde $(LESSON) --jobs $(or $(JOBS),2) $(if $(FORCE),--force) \
		$(if $(MEMORY_GIB),--memory-gib $(MEMORY_GIB)) $(if $(UNSAFE),--unsafe)

manual: $(STAMP)
	$(COURSE) manual $(SCORES)

export: $(STAMP)
	$(COURSE) export --to $(or $(TO),grading/grades.csv)

feedback: $(STAMP)
	$(COURSE) feedback $(LESSON)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
