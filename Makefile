# Entry points for newcomers and CI. `make help` lists them.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
COLLECTION_LINK := .build/ansible_collections/cnm/overlay
GENERATION ?= bullseye
# The default lab's sizes; unset, `up` keeps the lab's recorded sizes (new lab: 2 and 1).
DOCKER_HOSTS ?=
KV_HOSTS ?=
LAB_SIZES := $(if $(DOCKER_HOSTS),--docker-hosts $(DOCKER_HOSTS)) $(if $(KV_HOSTS),--kv-hosts $(KV_HOSTS))
# The inventory `up` writes for the default lab: inventories/lab's hosts at the default sizes, every host at others.
LAB_INVENTORY := lab/.state/lab/hosts.yml
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: help host-packages venv engine collection-link lab lab-up lab-down lint sanity unit integration molecule test build

help:
	@echo "make lab        bring the lab up ($(GENERATION)) and run the main job against it"
	@echo "                GENERATION=bullseye|bookworm|trixie|forky (lab/README.md)"
	@echo "                DOCKER_HOSTS=N (n1..nN, 1-50; default 2) KV_HOSTS=1|3 (kv, kv2, kv3; default 1);"
	@echo "                unset, the lab keeps the sizes it was made with (make lab-up takes them too)"
	@echo "make lab-down   remove every lab container, network and volume"
	@echo "make test       the full test suite (what CI runs)"
	@echo "make venv       the pinned controller virtualenv in $(VENV)"

$(VENV)/.installed: requirements-dev.txt
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed collection-link

# A checkout works as the collection without installing it.
collection-link:
	@mkdir -p $(dir $(COLLECTION_LINK))
	@ln -sfn ../../.. $(COLLECTION_LINK)

# Debian packages of requirements-apt.txt that this machine lacks (debootstrap, shellcheck, ...).
host-packages:
	bash lab/host-packages.sh

engine: host-packages
	bash lab/engine.sh

lab: venv engine
	$(PY) lab/cnm_lab.py up --generation $(GENERATION) $(LAB_SIZES)
	$(BIN)/ansible-playbook -i $(LAB_INVENTORY) playbooks/site.yml
	$(BIN)/ansible-playbook -i $(LAB_INVENTORY) playbooks/topology.yml

lab-up: venv engine
	$(PY) lab/cnm_lab.py up --generation $(GENERATION) $(LAB_SIZES)

lab-down: venv
	$(PY) lab/cnm_lab.py down --all

lint: venv
	$(BIN)/yamllint -s .
	$(BIN)/ansible-lint --profile production

sanity: venv host-packages
	bash tests/sanity.sh

unit: venv
	$(BIN)/pytest -q tests/unit

# Test modules in parallel, each whole on one worker with its own labs (tests/integration/conftest.py).
TEST_JOBS ?= 3
integration: venv engine
	$(BIN)/pytest -q -n $(TEST_JOBS) tests/integration

# Scenarios side by side, each with a lab of its own.
MOLECULE_JOBS ?= 2
molecule: venv engine
	MOLECULE_JOBS=$(MOLECULE_JOBS) bash tests/molecule.sh

# Each stage in turn, its time printed at the end (also when one fails).
test: venv host-packages
	MAKE="$(MAKE)" bash tests/stages.sh lint sanity unit integration molecule

build: venv
	$(BIN)/ansible-galaxy collection build --force --output-path .build/dist
