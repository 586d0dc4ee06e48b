"""docker_cnm_endpoint on a multi-host overlay with a cluster store, in the lab `epmod`.

n1 and n2 run Docker 20.10 (bullseye) with consul on kv as cluster store. On n2 a container
is connected to the overlay `multi` with an alias and a fixed address by the module (over
SSH, as Ansible runs it); n1 reaches it by both. Then n2's engine dies (kill -9) and, from
n1, the module removes the stale endpoint with `force` so the name and address can be used
again. The lab is removed afterwards.
"""

import json
import subprocess

import pytest

from cnm_test_runner import wait_for

LAB = "epmod"
SUBNET = "10.202.200.0/24"
ADDRESS = "10.202.200.50"
WEB = "cnmt-ep-web"


@pytest.fixture(scope="module")
def lab(lab_factory):
    """The lab with a cluster store: consul on kv, n1/n2 engines using it, overlay `multi`."""
    lab = lab_factory(LAB, "bullseye")
    # consul in dev mode: one in-memory server, nothing left on disk.
    subprocess.run(["docker", "exec", "-d", lab.container("kv"), "sh", "-c",
                    "exec consul agent -dev -client=0.0.0.0 -bind=$(hostname -i | cut -d' ' -f1) "
                    ">/var/log/consul-dev.log 2>&1"], check=True, timeout=60)
    wait_for("consul on kv", lambda: "8300" in lab.sh("kv", "curl -s localhost:8500/v1/status/leader").stdout)
    for host in ("n1", "n2"):
        lab.sh(host, "echo '{\"cluster-store\": \"consul://kv:8500\", \"cluster-advertise\": \"eth0:2376\"}' "
                     ">/etc/docker/daemon.json && service docker restart", check=True)
        wait_for("engine on %s with cluster store" % host,
                 lambda h=host: "consul://kv:8500" in lab.sh(h, "docker info").stdout)
    lab.sh("n1", "docker network create --driver overlay --subnet %s multi" % SUBNET, check=True)
    wait_for("multi on n2", lambda: "multi" in lab.sh("n2", "docker network ls").stdout, 30)
    return lab


def endpoint_task(host, state="connected", force=False, check=False, container=WEB):
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
""" % (host, container, container, state, force, ADDRESS, check)


def ping_from_n1(lab, target, seconds=60):
    """A container on n1 pings `target` over multi (the overlay may need a few seconds)."""
    script = "for i in $(seq %d); do ping -c1 -W1 %s >/dev/null && exit 0; sleep 1; done; exit 1" % (seconds, target)
    return lab.sh("n1", "docker run --rm --init --network multi cnm-lab/sandbox:latest sh -c '%s'" % script,
                  timeout=seconds + 60).returncode == 0


def endpoints_seen_from_n1(lab):
    return lab.sh("n1", "docker network inspect multi --format '{{json .Containers}}'", check=True).stdout


def test_connect_on_n2_reach_from_n1_then_force_remove_the_stale_endpoint(lab, playbook_runner):
    def play(text):
        return playbook_runner(text, inventory=lab.inventory, extra_args=["--diff"])

    lab.sh("n2", "docker run -d --init --name %s cnm-lab/sandbox:latest sleep 3600" % WEB, check=True)
    connected = play(endpoint_task("n2"))
    assert connected.returncode == 0 and "changed=1" in connected.stdout, connected.stdout
    again = play(endpoint_task("n2"))
    assert again.returncode == 0 and "changed=0" in again.stdout, again.stdout
    assert ping_from_n1(lab, "webalias"), "n1 cannot reach webalias"
    assert ping_from_n1(lab, ADDRESS), "n1 cannot reach %s" % ADDRESS

    # n2's engine dies without cleaning up: its endpoint stays in the cluster store.
    lab.sh("n2", "kill -9 $(cat /run/docker.pid)", check=True)
    wait_for("dockerd on n2 gone", lambda: not lab.sh("n2", "pidof dockerd").stdout.strip(), 20)
    assert '"Name":"%s"' % WEB in endpoints_seen_from_n1(lab)

    # From n1, the name and address are taken until the stale endpoint is removed.
    lab.sh("n1", "docker run -d --init --name cnmt-ep-probe cnm-lab/sandbox:latest sleep 3600", check=True)
    blocked = play(endpoint_task("n1", container="cnmt-ep-probe"))
    assert blocked.returncode != 0, blocked.stdout
    assert "ipv4_address %s is already used on network multi by container %s" % (ADDRESS, WEB) \
        in " ".join(blocked.stdout.split()), blocked.stdout

    checked = play(endpoint_task("n1", state="disconnected", force=True, check=True))
    assert checked.returncode == 0 and "changed=1" in checked.stdout, checked.stdout
    stale_id = json.loads(endpoints_seen_from_n1(lab)).popitem()[1]["EndpointID"]
    checked_by_id = play(endpoint_task("n1", state="disconnected", force=True, check=True, container=stale_id[:12]))
    assert checked_by_id.returncode == 0 and "changed=1" in checked_by_id.stdout, checked_by_id.stdout
    assert '"Name":"%s"' % WEB in endpoints_seen_from_n1(lab)
    removed = play(endpoint_task("n1", state="disconnected", force=True))
    assert removed.returncode == 0 and "changed=1" in removed.stdout, removed.stdout
    assert WEB not in endpoints_seen_from_n1(lab)
    gone = play(endpoint_task("n1", state="disconnected", force=True))
    assert gone.returncode == 0 and "changed=0" in gone.stdout, gone.stdout

    # The name and the address are free again: a new container on n1 takes both.
    lab.sh("n1", "docker run -d --init --name %s cnm-lab/sandbox:latest sleep 3600" % WEB, check=True)
    reused = play(endpoint_task("n1"))
    assert reused.returncode == 0 and "changed=1" in reused.stdout, reused.stdout
    assert ping_from_n1(lab, "webalias"), "n1 cannot reach webalias"
    assert ping_from_n1(lab, ADDRESS), "n1 cannot reach %s" % ADDRESS

    # With the cluster store gone, the daemon reports the overlay as missing: the module says why.
    lab.sh("kv", "kill -9 $(pidof consul)", check=True)
    lost = play(endpoint_task("n1", state="disconnected"))
    assert lost.returncode != 0 and "Traceback" not in lost.stdout, lost.stdout
    flat = " ".join(lost.stdout.split())
    assert "no network named or with ID 'multi'" in flat, lost.stdout
    assert "cluster store consul://kv:8500" in flat, lost.stdout
