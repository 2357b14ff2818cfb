# Build and test entry points for the csp.partnercenter collection.
#
#   make test         units, integration, sanity, lint, changelog and docs checks on the newest
#                     ansible-core (2.21 on Python 3.12 or newer, see tools/test_venv.py); ends
#                     with the ansible-core and Python it ran
#   make ci           what CI runs (.ci/run calls make test, then bench-smoke and ci-matrix): certification's
#                     sanity set and the oldest claimed release (ci-matrix, below)
#   make venv         .venv with test-requirements.txt (re-installed when that file changes), on the
#                     Python tools/test_venv.py picks; TEST_PYTHON=/path/to/python to choose it
#   make collection   stage the tree into build/collections/ansible_collections/csp/partnercenter
#   make units        pytest tests/unit        (from the staged copy)
#   make integration  pytest tests/integration (from the staged copy; starts the emulator itself)
#   make bench-smoke  the benchmark at a tiny size, its request counts checked (about 2 minutes)
#   make sanity       ansible-test sanity, every test, no ignore file (from the staged copy)

PYTHON ?= python3
# The interpreter of make test's venv; empty: tools/test_venv.py picks the Python 3.12+ that gets the
# newest ansible-core release (or says why it falls back to 3.11).
TEST_PYTHON ?=
VENV ?= .venv
VENV_BIN := $(abspath $(VENV))/bin
VENV_PY := $(VENV_BIN)/python
STAMP := $(VENV)/.installed

COLLECTIONS_DIR := $(CURDIR)/build/collections
COLLECTION_DIR := $(COLLECTIONS_DIR)/ansible_collections/csp/partnercenter

# The venv interpreter's X.Y, read when a recipe needs it (after the venv exists).
PY_VERSION = $(shell $(VENV_PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')

PYTEST_ARGS ?=
# Integration tests spend their time in ansible-playbook subprocesses: one pytest-xdist
# worker per core (each worker starts its own emulator).  INTEGRATION_JOBS=0 runs serially.
INTEGRATION_JOBS ?= 2
SANITY_ARGS ?=

# Run recipes from the staged copy with the venv first on PATH (ansible-test and
# its sanity tests look up python3.X, shellcheck, ... there).
IN_STAGED := cd "$(COLLECTION_DIR)" && PATH="$(VENV_BIN):$$PATH" PYTHONPATH="$(COLLECTIONS_DIR)" ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS_DIR)"

.DEFAULT_GOAL := test
.PHONY: test test-versions ci ci-matrix venv collection sanity units integration demo bench bench-check bench-smoke clean distclean

test: test-versions units integration sanity lint changelog-lint docs-lint
	@echo "make test: passed on $$("$(PYTHON)" tools/test_venv.py --venv "$(VENV)" --report)"

test-versions: $(STAMP)
	@echo "make test: runs on $$("$(PYTHON)" tools/test_venv.py --venv "$(VENV)" --report)"

venv: $(STAMP)

$(STAMP): test-requirements.txt requirements.txt
	$(PYTHON) tools/test_venv.py --venv "$(VENV)" $(if $(TEST_PYTHON),--python "$(TEST_PYTHON)")
	touch "$@"

collection:
	$(PYTHON) tools/stage_collection.py

include mk/ecosystem.mk

sanity: $(STAMP) collection
	@if ls tests/sanity/ignore-*.txt >/dev/null 2>&1; then \
		echo "ERROR: sanity ignore files are not allowed: $$(ls tests/sanity/ignore-*.txt)" >&2; exit 1; fi
	"$(VENV_PY)" tools/seed_get_pip.py
	"$(VENV_BIN)/shellcheck" .ci/run
	$(IN_STAGED) "$(VENV_BIN)/ansible-test" sanity --python $(PY_VERSION) $(SANITY_ARGS)

units: $(STAMP) collection
	$(IN_STAGED) "$(VENV_BIN)/pytest" -p no:cacheprovider tests/unit $(PYTEST_ARGS)

integration: $(STAMP) collection
	$(IN_STAGED) "$(VENV_BIN)/pytest" -p no:cacheprovider -n $(INTEGRATION_JOBS) tests/integration $(PYTEST_ARGS)

# The demo needs only the runtime (ansible-core, requests, msal) and the emulator's trustme:
# a small venv of its own, installed quietly.
DEMO_VENV ?= .venv-demo
DEMO_STAMP := $(DEMO_VENV)/.installed

$(DEMO_STAMP): requirements.txt
	@test -x "$(DEMO_VENV)/bin/python" || $(PYTHON) -m venv "$(DEMO_VENV)"
	@echo "Installing the demo's Python packages into $(DEMO_VENV) (ansible-core, requests, msal, trustme) ..."
	@"$(DEMO_VENV)/bin/python" -m pip install -q --disable-pip-version-check -r requirements.txt \
		"ansible-core>=2.16,<2.20" "trustme>=1.1"
	@touch "$@"

demo: $(DEMO_STAMP)
	@$(PYTHON) tools/stage_collection.py >/dev/null
	@ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS_DIR)" "$(DEMO_VENV)/bin/python" tools/demo.py

# The benchmark (tests/benchmark/README.md): about 25 minutes at full size; not part of test.
BENCH_ARGS ?=
bench: $(STAMP) collection
	"$(VENV_PY)" tests/benchmark/run.py --collections-path "$(COLLECTIONS_DIR)" --output-dir bench-results $(BENCH_ARGS)

# The benchmark's smoke test (tests/benchmark/test_quick.py): every scenario at a tiny size, the request
# counts checked, timings not judged.  Kept out of integration (it takes about 2 minutes); CI runs it.
bench-smoke: $(STAMP) collection
	$(IN_STAGED) "$(VENV_BIN)/pytest" -p no:cacheprovider tests/benchmark/test_quick.py $(PYTEST_ARGS)

bench-check: bench-smoke
	"$(VENV_PY)" tests/benchmark/run.py --check --collections-path "$(COLLECTIONS_DIR)" --output-dir bench-results $(BENCH_ARGS)

# Every ansible-core minor release meta/runtime.yml claims that installs here: one cached venv each
# under .matrix/, unit + smoke tests, sanity on the newest and current (tools/test_matrix.py --help).
MATRIX_ARGS ?=
.PHONY: test-matrix
test-matrix:
	$(PYTHON) tools/test_matrix.py $(MATRIX_ARGS)

# CI: make test on the newest release, the benchmark smoke test, then what Red Hat's partner certification runs and make test
# does not: ansible-test sanity on its stable branches (2.16, 2.18, 2.20), and the unit and smoke tests
# on the oldest release meta/runtime.yml claims.  Their venvs are cached under .matrix/venvs/, one per
# release, re-installed only when the requirements change.
CERTIFICATION_RELEASES ?= 2.16,2.18,2.20
OLDEST_CLAIMED ?= 2.16
CI_MATRIX_ARGS ?=
ci: test bench-smoke ci-matrix

ci-matrix:
	$(PYTHON) tools/test_matrix.py --versions $(CERTIFICATION_RELEASES) --sanity all --tests-on $(OLDEST_CLAIMED) \
		$(CI_MATRIX_ARGS)

clean:
	rm -rf build tests/output .pytest_cache bench-results
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf "$(VENV)"
