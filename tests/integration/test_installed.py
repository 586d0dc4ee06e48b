"""The collection as an operator installs and runs it: built with ansible-galaxy, installed into an empty
directory, and the README's real-host commands run in its order (the preflight, site.yml with --check --diff,
site.yml, site.yml again) as `ansible-playbook cnm.overlay.<playbook>` from a directory that has neither the
checkout nor its ansible.cfg, with inventories/example's group_vars (an SSH user that becomes root with
sudo) over a fresh bullseye lab's hosts. One fact per test."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cnm_test_runner import REPO

BIN = Path(sys.executable).parent
# What an operator's own ansible.cfg says for hosts reached over SSH with new host keys.
OPERATOR_SETTINGS = {
    "ANSIBLE_HOST_KEY_CHECKING": "False",
    "ANSIBLE_PIPELINING": "True",
    "ANSIBLE_SSH_ARGS": "-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=/dev/null",
    "ANSIBLE_NOCOLOR": "1",
}


@pytest.fixture(scope="module")
def lab(lab_factory):
    return lab_factory("installed", "bullseye")


@pytest.fixture(scope="module")
def operator_inventory(lab, tmp_path_factory):
    """The lab's hosts with inventories/example's group_vars, as they are, and the lab's SSH key."""
    directory = tmp_path_factory.mktemp("inventory")
    shutil.copy(lab.inventory, directory / "hosts.yml")
    (directory / "group_vars").mkdir()
    example = (REPO / "inventories" / "example" / "group_vars" / "all.yml").read_text(encoding="utf-8")
    # The overlay check's default image is on the lab's hosts, as on hosts that pulled it.
    (directory / "group_vars" / "all.yml").write_text(
        example + "ansible_ssh_private_key_file: %s\n" % lab.ssh_key, encoding="utf-8")
    return str(directory / "hosts.yml")


@pytest.fixture(scope="module")
def operator_dir(tmp_path_factory):
    """An empty directory with the built collection installed under collections/."""
    root = tmp_path_factory.mktemp("operator")
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(root / "dist"),
                    str(REPO)], cwd=str(root), capture_output=True, text=True, check=True)
    tarball = next((root / "dist").glob("cnm-overlay-*.tar.gz"))
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "-p", str(root / "collections"),
                    str(tarball)], cwd=str(root), env=operator_env(root), capture_output=True, text=True, check=True)
    return root


def operator_env(root):
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    return dict(env, ANSIBLE_COLLECTIONS_PATH=str(root / "collections"), **OPERATOR_SETTINGS)


def run_playbook(root, inventory, playbook="cnm.overlay.site", *args):
    return subprocess.run([str(BIN / "ansible-playbook"), "-i", inventory, playbook] + list(args), cwd=str(root),
                          env=operator_env(root), capture_output=True, text=True, timeout=900, check=False)


# The README's real-host commands, in its order: each fixture runs after the one before.
@pytest.fixture(scope="module")
def preflight_run(operator_inventory, operator_dir):
    return run_playbook(operator_dir, operator_inventory, "cnm.overlay.preflight")


@pytest.fixture(scope="module")
def plan_run(operator_inventory, operator_dir, preflight_run):
    return run_playbook(operator_dir, operator_inventory, "cnm.overlay.site", "--check", "--diff")


@pytest.fixture(scope="module")
def first_run(operator_inventory, operator_dir, plan_run):
    return run_playbook(operator_dir, operator_inventory)


@pytest.fixture(scope="module")
def second_run(operator_inventory, operator_dir, first_run):
    return run_playbook(operator_dir, operator_inventory)


def test_the_installed_copy_is_the_one_ansible_finds(operator_dir):
    listing = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "list", "cnm.overlay", "--format", "json"],
                             cwd=str(operator_dir), env=operator_env(operator_dir), capture_output=True, text=True,
                             check=True).stdout
    assert list(json.loads(listing)) == [str(operator_dir / "collections" / "ansible_collections")]


def test_preflight_of_the_fresh_site_passes(preflight_run):
    assert preflight_run.returncode == 0, preflight_run.stdout[-3000:] + preflight_run.stderr[-2000:]


def test_preflight_reports_the_store_site_yml_creates_as_pending(preflight_run):
    # Ansible's default output shows the table as a JSON string, its lines joined by \n.
    notes = re.findall(r"\[\d+\] (n\d) store: ([^\n\"]*)", preflight_run.stdout.replace("\\n", "\n"))
    assert notes == [(host, "will be created by site.yml: kv has no consul data and runs no consul yet")
                     for host in ("n1", "n2")], preflight_run.stdout[-3000:]


def test_the_plan_passes(plan_run):
    assert plan_run.returncode == 0, plan_run.stdout[-3000:] + plan_run.stderr[-2000:]


def test_the_plan_leaves_the_store_host_as_it_was(lab, plan_run):
    assert lab.sh("kv", "ls -A /var/lib/consul; pgrep -x consul").stdout == ""


def test_installed_site_converges_and_c2_reaches_c1(first_run, overlay_passed):
    assert overlay_passed(first_run), first_run.stdout[-3000:] + first_run.stderr[-2000:]


def test_the_run_reached_the_hosts_as_the_sudo_user(operator_inventory, operator_dir, first_run):
    # The roles' module runs are pipelined and leave no file in the user's home: ask the connection itself.
    who = subprocess.run([str(BIN / "ansible"), "-i", operator_inventory, "n1", "-m", "ansible.builtin.command",
                          "-a", "id -un", "-e", "ansible_become=false"], cwd=str(operator_dir), capture_output=True,
                         text=True, timeout=120, check=False)
    assert first_run.returncode == 0 and who.returncode == 0, who.stdout + who.stderr
    assert who.stdout.strip().splitlines()[-1].strip() == "admin", who.stdout


def test_installed_site_second_run_changes_nothing(second_run, changed_count):
    assert second_run.returncode == 0, second_run.stdout[-3000:]
    assert changed_count(second_run.stdout) == 0
