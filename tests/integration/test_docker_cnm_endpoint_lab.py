"""docker_cnm_endpoint on a multi-host overlay with a cluster store, in the lab `epmod`.

n1 and n2 run Docker 20.10 (bullseye) with consul on kv as cluster store. On n2 a container
is connected to the overlay `multi` with an alias and a fixed address by the module (over
SSH, as Ansible runs it); n1 reaches it by both. Then n2's engine dies (kill -9) and, from
n1, the module removes the stale endpoint with `force` so the name and address can be used
again. The lab is removed afterwards.
"""

import subprocess
import sys
import time

import pytest

from conftest import REPO, run_playbook

LAB = "epmod"
LAB_TOOL = REPO / "lab" / "cnm_lab.py"
SUBNET = "10.202.200.0/24"
ADDRESS = "10.202.200.50"
WEB = "cnmt-ep-web"


def node(name, *command, check=True):
    """Run a command in a lab node; returns stdout."""
    proc = subprocess.run(["docker", "exec", "cnm-%s-%s" % (LAB, name)] + list(command),
                          capture_output=True, text=True, timeout=120, check=False)
    if check and proc.returncode != 0:
        raise AssertionError("%s: %s failed: %s%s" % (name, command, proc.stdout, proc.stderr))
    return proc.stdout


def lab_tool(*args):
    proc = subprocess.run([sys.executable, str(LAB_TOOL)] + list(args), capture_output=True, text=True,
                          timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def wait_for(what, probe, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(1)
    raise AssertionError("timed out waiting for %s" % what)


@pytest.fixture(scope="module")
def lab():
    """The lab with a cluster store: consul on kv, n1/n2 engines using it, overlay `multi`."""
    assert LAB_TOOL.exists(), "%s is missing: this test needs the lab tool (branch lab, merged into main)" % LAB_TOOL
    lab_tool("up", "--lab", LAB, "--generation", "bullseye")
    try:
        subprocess.run(["docker", "exec", "-d", "cnm-%s-kv" % LAB, "sh", "-c",
                        "exec consul agent -dev -client=0.0.0.0 -bind=$(hostname -i | cut -d' ' -f1) "
                        ">/var/log/consul-dev.log 2>&1"], check=True, timeout=60)
        leader = ("kv", "curl", "-s", "localhost:8500/v1/status/leader")
        wait_for("consul on kv", lambda: "8300" in node(*leader, check=False))
        for host in ("n1", "n2"):
            node(host, "sh", "-c", "echo '{\"cluster-store\": \"consul://kv:8500\", \"cluster-advertise\": "
                                   "\"eth0:2376\"}' >/etc/docker/daemon.json && service docker restart")
            wait_for("engine on %s with cluster store" % host,
                     lambda h=host: "consul://kv:8500" in node(h, "docker", "info", check=False))
        node("n1", "docker", "network", "create", "--driver", "overlay", "--subnet", SUBNET, "multi")
        wait_for("multi on n2", lambda: "multi" in node("n2", "docker", "network", "ls", check=False), 30)
        yield lab_tool("inventory", "--lab", LAB).strip()
    finally:
        lab_tool("down", "--lab", LAB)


def endpoint_task(host, state="connected", force=False, check=False):
    return """
- hosts: %s
  gather_facts: false
  tasks:
    - name: The endpoint of %s on multi
      cnm.overlay.docker_cnm_endpoint:
        network: multi
        container: %s
        state: %s
        force: %s
        aliases: [webalias]
        ipv4_address: %s
      check_mode: %s
""" % (host, WEB, WEB, state, force, ADDRESS, check)


def ping_from_n1(target, seconds=60):
    """A container on n1 pings `target` over multi (the overlay may need a few seconds)."""
    script = "for i in $(seq %d); do ping -c1 -W1 %s >/dev/null && exit 0; sleep 1; done; exit 1" % (seconds, target)
    return subprocess.run(["docker", "exec", "cnm-%s-n1" % LAB, "docker", "run", "--rm", "--init", "--network",
                           "multi", "cnm-lab/sandbox:latest", "sh", "-c", script],
                          capture_output=True, text=True, timeout=seconds + 60, check=False).returncode == 0


def test_connect_on_n2_reach_from_n1_then_force_remove_the_stale_endpoint(lab):
    def play(text):
        return run_playbook(text, inventory=lab, extra_args=["--diff"])

    node("n2", "docker", "run", "-d", "--init", "--name", WEB, "cnm-lab/sandbox:latest", "sleep", "3600")
    connected = play(endpoint_task("n2"))
    assert connected.returncode == 0 and "changed=1" in connected.stdout, connected.stdout
    again = play(endpoint_task("n2"))
    assert again.returncode == 0 and "changed=0" in again.stdout, again.stdout
    assert ping_from_n1("webalias"), "n1 cannot reach webalias"
    assert ping_from_n1(ADDRESS), "n1 cannot reach %s" % ADDRESS

    # n2's engine dies without cleaning up: its endpoint stays in the cluster store.
    node("n2", "sh", "-c", "kill -9 $(cat /run/docker.pid)")
    wait_for("dockerd on n2 gone", lambda: not node("n2", "pidof", "dockerd", check=False).strip(), 20)
    endpoints = node("n1", "docker", "network", "inspect", "multi", "--format", "{{json .Containers}}")
    assert '"Name":"%s"' % WEB in endpoints, endpoints

    # From n1, the name and address are taken until the stale endpoint is removed.
    node("n1", "docker", "run", "-d", "--init", "--name", "cnmt-ep-probe", "cnm-lab/sandbox:latest", "sleep", "3600")
    blocked = play(endpoint_task("n1").replace("container: %s" % WEB, "container: cnmt-ep-probe"))
    assert blocked.returncode != 0, blocked.stdout
    assert "ipv4_address %s is already used on network multi by container %s" % (ADDRESS, WEB) in blocked.stdout, \
        blocked.stdout

    checked = play(endpoint_task("n1", state="disconnected", force=True, check=True))
    assert checked.returncode == 0 and "changed=1" in checked.stdout, checked.stdout
    removed = play(endpoint_task("n1", state="disconnected", force=True))
    assert removed.returncode == 0 and "changed=1" in removed.stdout, removed.stdout
    assert WEB not in node("n1", "docker", "network", "inspect", "multi", "--format", "{{json .Containers}}")
    gone = play(endpoint_task("n1", state="disconnected", force=True))
    assert gone.returncode == 0 and "changed=0" in gone.stdout, gone.stdout

    # The name and the address are free again: a new container on n1 takes both.
    node("n1", "docker", "run", "-d", "--init", "--name", WEB, "cnm-lab/sandbox:latest", "sleep", "3600")
    reused = play(endpoint_task("n1"))
    assert reused.returncode == 0 and "changed=1" in reused.stdout, reused.stdout
    assert ping_from_n1("webalias"), "n1 cannot reach webalias"
    assert ping_from_n1(ADDRESS), "n1 cannot reach %s" % ADDRESS

    # With the cluster store gone, the daemon reports the overlay as missing: the module says why.
    node("kv", "sh", "-c", "kill -9 $(pidof consul)")
    lost = play(endpoint_task("n1", state="disconnected"))
    assert lost.returncode != 0 and "Traceback" not in lost.stdout, lost.stdout
    assert "no network named or with ID 'multi'" in lost.stdout, lost.stdout
    assert "cluster store consul://kv:8500" in lost.stdout, lost.stdout
