"""docker_cnm_network on overlay networks, in a lab of lab/cnm_lab.py (never on the host engine).

- trixie (Docker 26): an attachable overlay in a one-node swarm on n1.
- bullseye (Docker 20.10): an overlay with a consul cluster store on kv, scope global, created
  on n1, seen and idempotent on n2.
The modules run on the nodes over SSH, as a user runs them. Uses its own lab name
(CNM_NETMOD_LAB, default netmod) so it never touches another lab.
"""

import json
import os
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import pytest

from cnm_test_runner import wait_for

REPO = Path(__file__).resolve().parents[2]
LAB_TOOL = REPO / "lab" / "cnm_lab.py"
LAB_NAME = os.environ.get("CNM_NETMOD_LAB", "netmod")

RunningLab = namedtuple("RunningLab", "generation inventory hosts")

PLAY = """
- name: docker_cnm_network on {host}
  hosts: {host}
  gather_facts: false
  tasks:
{tasks}
"""

FOUR_STEPS = """
    - name: Check mode
      cnm.overlay.docker_cnm_network: {spec}
      check_mode: true
      register: checked
    - name: Create
      cnm.overlay.docker_cnm_network: {spec}
      register: created
    - name: Again
      cnm.overlay.docker_cnm_network: {spec}
      register: again
    - name: Again in check mode
      cnm.overlay.docker_cnm_network: {spec}
      check_mode: true
      register: again_check
    - name: A change
      cnm.overlay.docker_cnm_network: {changed_spec}
      register: different
      ignore_errors: true
    - name: Info
      cnm.overlay.docker_cnm_network_info:
        name: {name}
      register: info
    - name: The four steps, the change and the info
      ansible.builtin.assert:
        that:
          - checked is changed
          - checked.network.Id is none
          - created is changed
          - created.network.Driver == 'overlay'
          - created.network.Scope == '{scope}'
          - again is not changed
          - again_check is not changed
          - different is failed
          - "'force: true' in different.msg"
          - info.exists
          - info.networks[0].Id == created.network.Id
"""

SEEN_AND_UNCHANGED = """
    - name: Same spec on the other host
      cnm.overlay.docker_cnm_network: {spec}
      register: again
    - name: Same spec in check mode
      cnm.overlay.docker_cnm_network: {spec}
      check_mode: true
      register: again_check
    - name: Info
      cnm.overlay.docker_cnm_network_info:
        name: {name}
      register: info
    - name: Seen and unchanged
      ansible.builtin.assert:
        that:
          - again is not changed
          - again_check is not changed
          - info.exists
          - info.networks[0].Scope == 'global'
          - info.networks[0].Id == '{network_id}'
"""

REMOVE = """
    - name: Remove
      cnm.overlay.docker_cnm_network:
        name: {name}
        state: absent
      register: removed
    - name: Removed
      ansible.builtin.assert:
        that:
          - removed is changed
"""

REMOVE_WITH_ENDPOINT = """
    - name: Remove while a container is attached
      cnm.overlay.docker_cnm_network:
        name: {name}
        state: absent
      register: refused
      ignore_errors: true
    - name: Remove with force
      cnm.overlay.docker_cnm_network:
        name: {name}
        state: absent
        force: true
      register: removed
    - name: Refused with the endpoint listed, then removed after disconnecting it
      ansible.builtin.assert:
        that:
          - refused is failed
          - "'{container} (this host)' in refused.msg"
          - "'force: true' in refused.msg"
          - removed is changed
          - "removed.actions[0] == 'disconnect container {container} from network {name}'"
"""

STORE_DOWN = """
    - name: Create while the cluster store is down
      cnm.overlay.docker_cnm_network: {spec}
      register: store_down
      ignore_errors: true
    - name: A clear message, no traceback
      ansible.builtin.assert:
        that:
          - store_down is failed
          - "'Docker daemon' in store_down.msg"
          - "'cluster' in store_down.msg or 'store' in store_down.msg"
          - "'Traceback' not in (store_down | to_json)"
        fail_msg: "{{{{ store_down | to_json }}}}"
"""


def lab_tool(*args):
    return subprocess.run([sys.executable, str(LAB_TOOL), *args], capture_output=True, text=True,
                          timeout=1800, check=False)


def in_node(node, *command, check=True):
    proc = subprocess.run(["docker", "exec", "cnm-%s-%s" % (LAB_NAME, node), *command], capture_output=True,
                          text=True, timeout=120, check=False)
    if check:
        assert proc.returncode == 0, "%s in %s: %s%s" % (command, node, proc.stdout, proc.stderr)
    return proc


def play(runner, lab, host, tasks):
    # The nodes' own Python, from the lab's group_vars.
    proc = runner(PLAY.format(host=host, tasks=tasks), inventory=lab.inventory)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def lab(request, docker_api):  # docker_api: a missing engine fails here, never skips
    generation = request.param
    proc = lab_tool("up", "--lab", LAB_NAME, "--generation", generation, "--fresh")
    assert proc.returncode == 0, "lab up failed:\n%s%s" % (proc.stdout, proc.stderr)
    state = json.loads((REPO / "lab" / ".state" / LAB_NAME / "lab.json").read_text())
    inventory = lab_tool("inventory", "--lab", LAB_NAME).stdout.strip()
    yield RunningLab(generation, inventory, state["hosts"])
    lab_tool("down", "--lab", LAB_NAME)


def overlay_spec(name, scope, labels):
    return json.dumps(dict(name=name, driver="overlay", scope=scope, attachable=True, labels=labels,
                           driver_options={"com.docker.network.driver.mtu": 1350},
                           ipam_config=[dict(subnet="10.201.100.0/24", gateway="10.201.100.1")]))


@pytest.mark.parametrize("lab", ["trixie"], indirect=True)
def test_overlay_in_a_one_node_swarm(lab, playbook_runner):
    if in_node("n1", "docker", "info", "--format", "{{ .Swarm.LocalNodeState }}").stdout.strip() != "active":
        in_node("n1", "docker", "swarm", "init", "--advertise-addr", lab.hosts["n1"])
    name = "cnmt-net-swarm"
    in_node("n1", "docker", "network", "rm", name, check=False)
    four_steps = FOUR_STEPS.format(spec=overlay_spec(name, "swarm", {"a": "1"}),
                                   changed_spec=overlay_spec(name, "swarm", {"a": "2"}), name=name, scope="swarm")
    play(playbook_runner, lab, "n1", four_steps)
    options = json.loads(in_node("n1", "docker", "network", "inspect", "--format", "{{ json .Options }}", name).stdout)
    assert options["com.docker.network.driver.mtu"] == "1350"
    in_node("n1", "docker", "run", "-d", "--init", "--name", "cnmt-net-c1", "--network", name,
            "cnm-lab/sandbox:latest", "sleep", "3600")
    play(playbook_runner, lab, "n1", REMOVE_WITH_ENDPOINT.format(name=name, container="cnmt-net-c1"))
    assert in_node("n1", "docker", "network", "inspect", name, check=False).returncode != 0
    in_node("n1", "docker", "rm", "-f", "cnmt-net-c1")


def enable_cluster_store(lab):
    """consul on kv, and both engines pointed at it (Docker 20.10 still has the cluster store)."""
    if in_node("n1", "curl", "-sf", "http://kv:8500/v1/status/leader", check=False).stdout.strip() in ("", '""'):
        in_node("kv", "sh", "-c", "pidof consul || (consul agent -dev -client 0.0.0.0 -bind %s "
                                  ">/var/log/consul-dev.log 2>&1 &)" % lab.hosts["kv"])
        wait_for("consul on kv", lambda: in_node("n1", "curl", "-sf", "http://kv:8500/v1/status/leader",
                                                 check=False).stdout.strip() not in ("", '""'))
    config = json.dumps({"cluster-store": "consul://kv:8500", "cluster-advertise": "eth0:2376"})
    for node in ("n1", "n2"):
        if "consul://kv:8500" in in_node(node, "docker", "info", "--format", "{{ .ClusterStore }}", check=False).stdout:
            continue
        in_node(node, "sh", "-c", "mkdir -p /etc/docker && echo '%s' >/etc/docker/daemon.json" % config)
        in_node(node, "service", "docker", "restart")
        wait_for("the engine of %s with the cluster store" % node, lambda n=node: "consul://kv:8500" in in_node(
            n, "docker", "info", "--format", "{{ .ClusterStore }}", check=False).stdout)


@pytest.mark.parametrize("lab", ["bullseye"], indirect=True)
def test_overlay_with_a_cluster_store_seen_on_both_hosts(lab, playbook_runner):
    enable_cluster_store(lab)
    name = "cnmt-net-global"
    in_node("n1", "docker", "network", "rm", name, check=False)
    four_steps = FOUR_STEPS.format(spec=overlay_spec(name, "global", {"a": "1"}),
                                   changed_spec=overlay_spec(name, "global", {"a": "2"}), name=name, scope="global")
    play(playbook_runner, lab, "n1", four_steps)
    network_id = in_node("n1", "docker", "network", "inspect", "--format", "{{ .Id }}", name).stdout.strip()
    wait_for("n2 to see the network", lambda: in_node("n2", "docker", "network", "inspect", name,
                                                      check=False).returncode == 0, seconds=20)
    seen = SEEN_AND_UNCHANGED.format(spec=overlay_spec(name, "global", {"a": "1"}), name=name, network_id=network_id)
    play(playbook_runner, lab, "n2", seen)
    play(playbook_runner, lab, "n1", REMOVE.format(name=name))
    wait_for("n2 to see the network gone", lambda: in_node("n2", "docker", "network", "inspect", name,
                                                           check=False).returncode != 0, seconds=20)

    # The cluster store goes away: a clear message within the module's timeout, no traceback.
    in_node("kv", "sh", "-c", "kill $(pidof consul)")
    wait_for("consul to stop", lambda: in_node("n1", "curl", "-sf", "http://kv:8500/v1/status/leader",
                                               check=False).returncode != 0)
    play(playbook_runner, lab, "n1", STORE_DOWN.format(spec=json.dumps(dict(name=name, driver="overlay", scope="global", timeout=20))))
