# pyfilter developer commands.  Each target sets up .venv (Python 3 and a C
# compiler are all a fresh machine needs) and rebuilds what changed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test test-debug test-asan bench build debug-build asan-build doctest clean distclean torch

# One-time environment: build tools, then the package (editable) with extras.
$(VENV)/.ready: pyproject.toml setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install "setuptools>=77" "Cython>=3.0" "numpy>=2.0" "scipy>=1.11"
	$(PY) setup.py -q build_ext --inplace --parallel 2
	$(PIP) install --no-build-isolation -e ".[all]"
	touch $@

# Release build of the engines, in place (no-op when up to date; a switch
# from a debug build forces a full rebuild).
build: $(VENV)/.ready
	$(PY) setup.py -q build_ext --inplace --parallel 2

debug-build: $(VENV)/.ready
	PYFILTER_DEBUG=1 $(PY) setup.py -q build_ext --inplace --parallel 2

# AddressSanitizer build (baseline variant): python itself is not
# instrumented, so libasan is preloaded (with libstdc++, whose exceptions
# OpenCV throws and ASan must intercept); leaks are not checked (CPython's
# own allocations at exit).
asan-build: $(VENV)/.ready
	PYFILTER_ASAN=1 $(PY) setup.py -q build_ext --inplace --parallel 2

demo: build
	$(PY) -m pyfilter demo

test: build
	$(PY) -m pytest -q tests
	$(PY) -m pytest -q --doctest-modules pyfilter

# The suite against a build with Cython bounds/wraparound/initialized checks.
test-debug: debug-build
	$(PY) -m pytest -q -x tests

test-asan: asan-build
	LD_PRELOAD="$$($(CC) -print-file-name=libasan.so) $$($(CC) -print-file-name=libstdc++.so)" \
	    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 PYFILTER_SIMD=base \
	    PYFILTER_TEST_NO_TORCH=1 $(PY) -m pytest -q -x tests

bench: build
	MALLOC_MMAP_THRESHOLD_=134217728 MALLOC_TRIM_THRESHOLD_=1073741824 \
	    $(PY) -m benchmarks.run $(BENCH_ARGS)

# Optional: PyTorch for the comparisons in tests/benchmarks, only from a
# wheel already on this machine (never a multi-GB download).
torch: $(VENV)/.ready
	$(PIP) install "torch==2.13.0+cpu" || echo "no local CPU torch wheel here: torch tests will skip"

clean:
	rm -rf build pyfilter/_cext/*.so pyfilter/_cext/_build_config.py demo_out bench_out

distclean: clean
	rm -rf $(VENV) *.egg-info
