# fleet.kdump developer entry point.  `make test` is the README's test command; `make demo` the showcase.
SHELL := /bin/bash
.DEFAULT_GOAL := help

ROOT     := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV     := $(ROOT)/.venv
BIN      := $(VENV)/bin
# One tree per make invocation, so parallel runs never delete each other's tree.
BUILD    ?= $(ROOT)/build/tree-$(shell echo $$PPID)
COLL     := $(BUILD)/ansible_collections/fleet/kdump
PYTHON   ?= $(shell $(ROOT)/scripts/find-python.sh)
PY_MINOR := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
REQS     := $(if $(filter 3.11,$(PY_MINOR)),requirements-dev-py311.txt,requirements-dev.txt)
CONSTR   := $(if $(filter 3.11,$(PY_MINOR)),,-c constraints-dev.txt)
export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(BUILD):$(HOME)/.ansible/collections
export ANSIBLE_FORCE_COLOR := 0
export PY_COLORS := 0
export NO_COLOR := 1
# Scenarios live in the top-level molecule/ (they test playbooks and modules, not only the role);
# naming the glob tells Molecule so and silences its 'migrate to extensions/molecule' hint.
export MOLECULE_GLOB := molecule/*/molecule.yml
# Machine-wide locks: several checkouts (git worktrees) of this repository may share one machine.
# ansible-test keeps its venvs in ~/.ansible/test; the container scenarios use fixed names and ports;
# VMs under TCG want the CPUs to themselves. In CI each lock is uncontended.
LOCK_DIR           ?= /tmp/fleet-kdump-locks
ANSIBLE_TEST_LOCK  := flock $(LOCK_DIR)/ansible-test.lock
CONTAINER_LAB_LOCK := flock $(LOCK_DIR)/container-lab.lock
VM_LAB_LOCK        := flock $(LOCK_DIR)/vm-lab.lock
$(shell mkdir -p $(LOCK_DIR))

.PHONY: help venv collection-tree lint sanity units fuzz fuzz-run refusals conformance runner molecule-default molecule-fleet molecule-remote molecule-vm molecule-vm-remote molecule-vm-nfs molecule-vm-rhel-stack molecule-vm-calibrate test test-matrix demo build clean

help:
	@echo "make test    - lint, sanity, unit tests, then every Molecule scenario (what CI runs)"
	@echo "make demo    - build the lab (VM canary + SSH containers), run playbooks/site.yml with a real crash, print the report"
	@echo "make fuzz    - the hypothesis round trips of tests/fuzz with FUZZ_EXAMPLES (10000) examples each; make units runs 300"
	@echo "make refusals - regenerate docs/refusals.md from the module unit tests (make units says when it is stale)"
	@echo "make venv | lint | sanity | units | fuzz | refusals | conformance | runner | molecule-default | molecule-fleet | molecule-remote | molecule-vm | molecule-vm-remote | molecule-vm-nfs | molecule-vm-rhel-stack | test-matrix | build | clean"
	@echo "make molecule-vm-calibrate - extended: calibrate crashkernel= on a VM by crashing it (~30-60 min under TCG)"

$(VENV)/.stamp: $(REQS) constraints-dev.txt scripts/find-python.sh scripts/ansible-test-get-pip.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r $(REQS) $(CONSTR)
	@# ansible-test --venv cannot download its pip bootstrap script here; give it the offline stand-in.
	@pipver=$$($(BIN)/python -c 'import ansible_test._internal.python_requirements as r, inspect, re; print(re.search(r"pip=.([0-9.]+)", inspect.getsource(r)).group(1))') && \
	  mkdir -p $(HOME)/.ansible/test/cache && \
	  cp scripts/ansible-test-get-pip.py $(HOME)/.ansible/test/cache/get_pip_$${pipver//./_}.py
	touch $@

venv: $(VENV)/.stamp

# ansible-test and Molecule need the collection at ansible_collections/fleet/kdump: copy the
# tracked and new (not ignored) files there, so the tree is exactly what a clone would hold.
collection-tree:
	@rm -rf $(COLL) && mkdir -p $(COLL)
	@cd $(ROOT) && git ls-files -co --exclude-standard -z | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C $(COLL) -xf -
	@cd $(COLL) && git init -q && git add -A >/dev/null

lint: venv collection-tree
	cd $(ROOT) && $(BIN)/ansible-lint --profile production

sanity: venv collection-tree
	cd $(COLL) && $(ANSIBLE_TEST_LOCK) $(BIN)/ansible-test sanity --venv --python $(PY_MINOR) --color no

# PYTEST_ARGS narrows the run, e.g. make units PYTEST_ARGS=tests/unit/plugins/module_utils/test_crashkernel.py
units: venv collection-tree
	cd $(COLL) && $(ANSIBLE_TEST_LOCK) $(BIN)/ansible-test units --venv --python $(PY_MINOR) --color no $(PYTEST_ARGS)
	$(if $(PYTEST_ARGS),,$(MAKE) --no-print-directory fuzz-run BUILD=$(BUILD) FUZZ_EXAMPLES=$(FUZZ_SHORT))
	@# A stale table is reported, not failed: rerun make refusals when a refusal message changed.
	$(if $(PYTEST_ARGS),,-cd $(COLL) && PYTHONPATH=$(BUILD) $(BIN)/python scripts/refusals.py --check $(ROOT)/docs/refusals.md | tail -1)

# Hypothesis round trips (tests/fuzz: parse -> render byte-identical, render -> parse, crashkernel parse -> str).
# They run in the dev venv (ansible-test's has no hypothesis); the last lines give the examples each property ran.
FUZZ_EXAMPLES ?= 10000
FUZZ_SHORT    ?= 300
fuzz: venv collection-tree
	@$(MAKE) --no-print-directory fuzz-run BUILD=$(BUILD) FUZZ_EXAMPLES=$(FUZZ_EXAMPLES)

# docs/refusals.md: every fail_json message the module unit tests provoke and assert (scripts/refusals.py).
refusals: venv collection-tree
	cd $(COLL) && set -o pipefail && PYTHONPATH=$(BUILD) $(BIN)/python scripts/refusals.py $(ROOT)/docs/refusals.md | tail -1

fuzz-run:
	cd $(COLL) && PYTHONPATH=$(BUILD) FLEET_KDUMP_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -p no:cacheprovider -q tests/fuzz

# What we write, judged by the distributions' own tools (tests/conformance; oracles from FLEET_KDUMP_ORACLES,
# see scripts/fetch-oracles.sh). Without oracles it prints one line and counts as skipped. The grubby and SUSE
# cases run in throwaway containers derived from the lab image, hence the lab lock.
FLEET_KDUMP_REQUIRE_LAB ?= 1
conformance: venv collection-tree
	@if [ -n "$$FLEET_KDUMP_ORACLES" ] && [ -d "$$FLEET_KDUMP_ORACLES" ]; then \
	  lab/container.sh setup-host >/dev/null && lab/container.sh build; fi
	@cd $(ROOT) && $(CONTAINER_LAB_LOCK) env FLEET_KDUMP_REQUIRE_LAB=$(FLEET_KDUMP_REQUIRE_LAB) \
	  scripts/conformance.sh $(COLL) $(PYTEST_ARGS)

# AWX-style: playbooks/site.yml through ansible-runner (check mode on localhost + a container fleet).
runner: venv
	lab/container.sh setup-host && lab/container.sh build
	cd $(ROOT) && FLEET_KDUMP_REQUIRE_LAB=1 $(CONTAINER_LAB_LOCK) $(BIN)/python -m pytest -p no:cacheprovider -v tests/runner

molecule-default: venv collection-tree
	lab/container.sh setup-host && lab/container.sh build
	cd $(ROOT) && $(CONTAINER_LAB_LOCK) $(BIN)/molecule test -s default

molecule-fleet: venv collection-tree
	lab/container.sh setup-host && lab/container.sh build
	cd $(ROOT) && $(CONTAINER_LAB_LOCK) $(BIN)/molecule test -s fleet

# Dumps to a central server over SSH: a dump-server container and two kdump clients (the key, the pinned host key,
# the restricted authorized_keys entry, kdump_verify's reachability checks, a server path that is not writable).
molecule-remote: venv collection-tree
	lab/container.sh setup-host && lab/container.sh build
	cd $(ROOT) && $(CONTAINER_LAB_LOCK) $(BIN)/molecule test -s remote

molecule-vm: venv collection-tree
	lab/vm.sh setup-host && lab/vm.sh build
	cd $(ROOT) && $(VM_LAB_LOCK) $(BIN)/molecule test -s vm

# A real crash whose dump lands on a dump server container over SSH (the VM reaches it through QEMU's user network),
# with the controller losing the VM's SSH during the crash wait, then a wait that times out and closes the gate.
molecule-vm-remote: venv collection-tree
	lab/vm.sh setup-host && lab/vm.sh build && lab/container.sh setup-host && lab/container.sh build
	cd $(ROOT) && $(VM_LAB_LOCK) $(BIN)/molecule test -s vm-remote

# A real crash whose dump lands on an NFSv4 server (nfs-ganesha in a container, lab/nfs-server; the VM reaches it through
# QEMU's user network). In test-matrix, not in `make test` (time budget).
molecule-vm-nfs: venv collection-tree
	lab/vm.sh setup-host && lab/vm.sh build && lab/container.sh setup-host && lab/container.sh build
	cd $(ROOT) && $(VM_LAB_LOCK) $(BIN)/molecule test -s vm-nfs

# The RHEL kdump stack (kdump-utils from FLEET_KDUMP_ORACLES) on a Debian VM, driven as family rhel; without the
# oracles it prints one line and counts as skipped.
molecule-vm-rhel-stack: venv collection-tree
	@if [ -z "$$FLEET_KDUMP_ORACLES" ] || [ ! -f "$$FLEET_KDUMP_ORACLES/kdump-utils/kdumpctl" ]; then \
	  echo "molecule-vm-rhel-stack: skipped (no kdump-utils source: set FLEET_KDUMP_ORACLES, see scripts/fetch-oracles.sh)"; \
	else \
	  lab/vm.sh setup-host && FLEET_KDUMP_VM_STACK=kdumputils lab/vm.sh build && \
	  cd $(ROOT) && $(VM_LAB_LOCK) $(BIN)/molecule test -s vm-rhel-stack; \
	fi

# Extended (not in `make test`): calibration by crashes on a Debian VM; FLEET_KDUMP_VM_SUITE / FLEET_KDUMP_VM_MEMORY.
molecule-vm-calibrate: venv collection-tree
	lab/vm.sh setup-host && lab/vm.sh build
	cd $(ROOT) && $(VM_LAB_LOCK) $(BIN)/molecule test -s vm-calibrate

test: venv
	@$(ROOT)/scripts/test.sh

test-matrix: venv
	@for suite in bullseye bookworm trixie; do \
	  FLEET_KDUMP_VM_SUITE=$$suite $(MAKE) molecule-vm || exit 1; \
	done
	@$(MAKE) molecule-vm-nfs

demo: venv
	@$(ROOT)/lab/demo.sh

build: venv
	cd $(ROOT) && $(BIN)/ansible-galaxy collection build --force

clean:
	rm -rf $(ROOT)/build fleet-kdump-*.tar.gz
