"""The lab of lab/cnm_lab.py, brought up once per generation on the real engine, and once with more hosts.

Uses its own lab names (CNM_LAB_TEST_NAME, default citest, and that name with -big) so it never touches the
default lab."""

import os
import re
import subprocess
import sys
import time
from collections import namedtuple
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
LAB_TOOL = REPO / "lab" / "cnm_lab.py"
LAB_NAME = os.environ.get("CNM_LAB_TEST_NAME", "citest")
NODES = ("kv", "n1", "n2")
DOCKER_HOSTS = ("n1", "n2")
ENGINE_VERSION = {"bullseye": "20.10.5", "bookworm": "20.10.24", "trixie": "26.1.5"}
ALL_GENERATIONS = sorted(ENGINE_VERSION)
# The bigger lab: 4 docker hosts and 3 store hosts, at their fixed octets (lab/README.md).
BIG_LAB_NAME = LAB_NAME + "-big"
BIG_KV_HOSTS = {"kv": 10, "kv2": 9, "kv3": 8}
BIG_DOCKER_HOSTS = {"n1": 11, "n2": 12, "n3": 13, "n4": 14}
BIG_NODES = tuple(BIG_KV_HOSTS) + tuple(BIG_DOCKER_HOSTS)

RunningLab = namedtuple("RunningLab", "generation inventory")

PING_PLAYBOOK = """
- name: Ping every lab host over SSH
  hosts: all
  gather_facts: false
  tasks:
    - name: Ping
      ansible.builtin.ping:
"""

RESTART_PLAYBOOK = """
- name: Restart the engine as roles do
  hosts: n2
  gather_facts: false
  tasks:
    - name: Restart docker
      ansible.builtin.service:
        name: docker
        state: restarted
"""


def lab_tool(*args):
    return subprocess.run([sys.executable, str(LAB_TOOL), *args], capture_output=True, text=True,
                          timeout=1800, check=False)


def container(node):
    return "cnm-%s-%s" % (LAB_NAME, node)


def in_node(node, *command):
    return subprocess.run(["docker", "exec", container(node), *command], capture_output=True, text=True,
                          timeout=120, check=False)


def inner_engine_version(node):
    proc = in_node(node, "docker", "version", "--format", "{{ .Server.Version }}")
    return proc.stdout.strip() if proc.returncode == 0 else None


@pytest.fixture(scope="module")
def lab(request, docker_api):  # docker_api: a missing engine fails here, never skips
    generation = request.param
    proc = lab_tool("up", "--lab", LAB_NAME, "--generation", generation, "--fresh")
    assert proc.returncode == 0, "lab up failed:\n%s%s" % (proc.stdout, proc.stderr)
    inventory = lab_tool("inventory", "--lab", LAB_NAME).stdout.strip()
    yield RunningLab(generation, inventory)
    lab_tool("down", "--lab", LAB_NAME)


@pytest.mark.parametrize("lab", ALL_GENERATIONS, indirect=True)
def test_every_host_answers_ansible_ping_over_ssh(lab, playbook_runner):
    proc = playbook_runner(PING_PLAYBOOK, inventory=lab.inventory)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    answered = [node for node in NODES if re.search(r"^%s\s+: ok=1 .*unreachable=0\s+failed=0" % node, proc.stdout, re.M)]
    assert answered == list(NODES), proc.stdout


@pytest.mark.parametrize("lab", ALL_GENERATIONS, indirect=True)
def test_inner_engines_report_the_generations_version(lab):
    versions = {node: inner_engine_version(node) for node in DOCKER_HOSTS}
    expected = ENGINE_VERSION[lab.generation]
    assert all(v is not None and (v == expected or v.startswith(expected + "+")) for v in versions.values()), versions


@pytest.mark.parametrize("lab", ["bullseye"], indirect=True)
def test_every_node_has_the_labs_names_in_etc_hosts(lab):
    # getent hosts reads /etc/hosts first: the answer must not depend on the host engine's DNS.
    hosts = {node: in_node(node, "sh", "-c", "grep -w kv /etc/hosts && grep -w n1 /etc/hosts && grep -w n2 /etc/hosts")
             for node in NODES}
    assert all(proc.returncode == 0 for proc in hosts.values()), {n: p.stdout + p.stderr for n, p in hosts.items()}


@pytest.mark.parametrize("lab", ["bullseye"], indirect=True)
def test_inner_engine_runs_a_sandbox_container(lab):
    proc = in_node("n1", "docker", "run", "--rm", "--init", "cnm-lab/sandbox:latest", "echo", "sandbox-ran")
    assert proc.stdout.strip() == "sandbox-ran", proc.stderr


@pytest.mark.parametrize("lab", ["bullseye"], indirect=True)
def test_inner_engine_has_the_sandbox_as_the_overlay_checks_default_image(lab):
    ids = [in_node("n2", "docker", "image", "inspect", "-f", "{{.Id}}", image).stdout.strip()
           for image in ("cnm-lab/sandbox:latest", "busybox:latest")]
    assert ids[0] and ids[0] == ids[1], ids


@pytest.mark.parametrize("lab", ["bullseye"], indirect=True)
def test_inner_engine_creates_a_bridge_network(lab):
    created = in_node("n1", "docker", "network", "create", "--driver", "bridge", "citest-bridge")
    in_node("n1", "docker", "network", "rm", "citest-bridge")
    assert created.returncode == 0, created.stderr


def wait_for_inner_engine(node, seconds=60):
    deadline = time.monotonic() + seconds
    while inner_engine_version(node) is None and time.monotonic() < deadline:
        time.sleep(0.5)


@pytest.mark.parametrize("lab", ["bullseye"], indirect=True)
def test_service_restart_brings_the_engine_back_as_a_new_daemon(lab):
    before = in_node("n1", "pidof", "dockerd").stdout.strip()
    restart = in_node("n1", "service", "docker", "restart")
    wait_for_inner_engine("n1")
    after = in_node("n1", "pidof", "dockerd").stdout.strip()
    assert restart.returncode == 0 and inner_engine_version("n1") and after and after != before, restart.stdout


@pytest.mark.parametrize("lab", ["bullseye"], indirect=True)
def test_ansible_service_module_restarts_the_engine(lab, playbook_runner):
    before = in_node("n2", "pidof", "dockerd").stdout.strip()
    proc = playbook_runner(RESTART_PLAYBOOK, inventory=lab.inventory)
    wait_for_inner_engine("n2")
    after = in_node("n2", "pidof", "dockerd").stdout.strip()
    assert proc.returncode == 0 and inner_engine_version("n2") and after and after != before, proc.stdout


@pytest.mark.parametrize("lab", ["bullseye"], indirect=True)
def test_up_again_keeps_the_running_nodes(lab, docker_api):
    ids = [docker_api.inspect_container(container(node))["Id"] for node in NODES]
    proc = lab_tool("up", "--lab", LAB_NAME, "--generation", lab.generation)
    assert proc.returncode == 0 and [docker_api.inspect_container(container(n))["Id"] for n in NODES] == ids


@pytest.mark.parametrize("lab", ["bullseye"], indirect=True)
def test_up_again_remakes_a_node_killed_with_the_machine(lab, docker_api):
    # SIGKILL as when the machine's engine dies: the node leaves containerd's pid file in /run.
    killed_id = docker_api.inspect_container(container("n2"))["Id"]
    docker_api.kill(container("n2"))
    proc = lab_tool("up", "--lab", LAB_NAME, "--generation", lab.generation)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert docker_api.inspect_container(container("n2"))["Id"] != killed_id
    assert inner_engine_version("n2") is not None


# Last in this file: it takes the lab down within its generation's group of tests.
@pytest.mark.parametrize("lab", ALL_GENERATIONS, indirect=True)
def test_down_leaves_no_container_network_or_volume(lab, docker_api):
    proc = lab_tool("down", "--lab", LAB_NAME)
    label = {"label": "cnm.lab=%s" % LAB_NAME}
    left = (docker_api.containers(all=True, filters=label) + docker_api.networks(filters=label)
            + (docker_api.volumes(filters=label)["Volumes"] or []))
    assert proc.returncode == 0 and left == [], proc.stderr


# --- a lab of 4 docker hosts and 3 store hosts (one lab-up, after the generations' labs are down) ---

@pytest.fixture(scope="module")
def big_lab(lab_factory):
    return lab_factory(BIG_LAB_NAME, "bullseye", docker_hosts=len(BIG_DOCKER_HOSTS), kv_hosts=len(BIG_KV_HOSTS))


def inventory_groups(inventory):
    with open(inventory, encoding="utf-8") as handle:
        groups = yaml.safe_load(handle)["all"]["children"]
    return {group: {host: hostvars["ansible_host"] for host, hostvars in groups[group]["hosts"].items()}
            for group in groups}


def test_big_lab_every_host_answers_ansible_ping_over_ssh(big_lab, playbook_runner):
    proc = playbook_runner(PING_PLAYBOOK, inventory=big_lab.inventory)
    answered = [node for node in BIG_NODES
                if re.search(r"^%s\s+: ok=1 .*unreachable=0\s+failed=0" % node, proc.stdout, re.M)]
    assert proc.returncode == 0 and answered == list(BIG_NODES), proc.stdout + proc.stderr


def test_big_lab_inventory_groups_hold_its_hosts_at_their_addresses(big_lab):
    groups = inventory_groups(big_lab.inventory)
    prefix = big_lab.address("kv").rsplit(".", 1)[0]
    assert groups == {
        "kv_store": {host: "%s.%d" % (prefix, octet) for host, octet in BIG_KV_HOSTS.items()},
        "docker_hosts": {host: "%s.%d" % (prefix, octet) for host, octet in BIG_DOCKER_HOSTS.items()},
    }
    assert {node: big_lab.address(node) for node in BIG_NODES} == {**groups["kv_store"], **groups["docker_hosts"]}


def test_big_lab_every_node_names_every_node_in_etc_hosts(big_lab):
    groups = inventory_groups(big_lab.inventory)
    wanted = {(address, host) for hosts in groups.values() for host, address in hosts.items()}
    named = {}
    for node in BIG_NODES:
        lines = big_lab.sh(node, "cat /etc/hosts", check=True).stdout.splitlines()
        named[node] = {tuple(line.split()[:2]) for line in lines if len(line.split()) == 2}
    assert {node: wanted - pairs for node, pairs in named.items()} == {node: set() for node in BIG_NODES}


def test_big_lab_up_again_without_the_size_flags_keeps_its_nodes(big_lab, docker_api):
    ids = {node: docker_api.inspect_container(big_lab.container(node))["Id"] for node in BIG_NODES}
    proc = lab_tool("up", "--lab", BIG_LAB_NAME, "--generation", "bullseye")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert {node: docker_api.inspect_container(big_lab.container(node))["Id"] for node in BIG_NODES} == ids
    label = {"label": "cnm.lab=%s" % BIG_LAB_NAME}
    assert len(docker_api.containers(all=True, filters=label)) == len(BIG_NODES)
    groups = inventory_groups(big_lab.inventory)
    assert (list(groups["kv_store"]), list(groups["docker_hosts"])) == (list(BIG_KV_HOSTS), list(BIG_DOCKER_HOSTS))


# Last of the big lab's tests: it takes that lab down.
def test_big_lab_down_leaves_no_container_network_or_volume(big_lab, docker_api):
    proc = lab_tool("down", "--lab", big_lab.name)
    label = {"label": "cnm.lab=%s" % big_lab.name}
    left = (docker_api.containers(all=True, filters=label) + docker_api.networks(filters=label)
            + (docker_api.volumes(filters=label)["Volumes"] or []))
    assert proc.returncode == 0 and left == [], proc.stderr
