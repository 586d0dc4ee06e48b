"""The preflight role in labs of lab/cnm_lab.py (through the shared lab_factory).

Each test breaks one thing (or nothing), runs playbooks/preflight.yml and reads the table:
one observable fact per test. Labs: preflight (bullseye, Consul in kv), pfswarm (trixie,
a formed swarm), pfetcd (bookworm, etcd in kv), pfsite (bullseye after site.yml)."""

import re
import time
from pathlib import Path

import pytest

from cnm_test_runner import preflight_table as table

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK = (REPO / "playbooks" / "preflight.yml").read_text(encoding="utf-8")
# Blocked ports make a listener wait its whole timeout: keep it short here.
FAST = ["-e", "preflight_probe_timeout=5"]
CONSUL_PID = "/tmp/cnm-preflight-consul.pid"


def consul_leader(lab):
    proc = lab.sh("kv", "python3 -c \"import urllib.request as u; "
                  "print(u.urlopen('http://127.0.0.1:8500/v1/status/leader', timeout=2).read().decode())\"")
    return proc.stdout.strip().strip('"') if proc.returncode == 0 else ""


def start_consul(lab):
    # The data directory the consul_kv role uses: a store that has its data there and is down fails the check
    # (with no data and no process it would be PENDING: site.yml creates it).
    lab.sh("kv", "consul agent -server -bootstrap-expect 1 -client 0.0.0.0 -bind %s -data-dir /var/lib/consul "
           "-pid-file %s >/tmp/consul.log 2>&1 &" % (lab.address("kv"), CONSUL_PID))
    deadline = time.time() + 60
    while not consul_leader(lab):
        assert time.time() < deadline, "consul elected no leader: %s" % lab.sh("kv", "tail /tmp/consul.log").stdout
        time.sleep(1)


def stop_consul(lab):
    lab.sh("kv", "kill $(cat {0}) && while kill -0 $(cat {0}) 2>/dev/null; do sleep 0.2; done".format(CONSUL_PID))


@pytest.fixture(scope="module")
def lab(lab_factory, docker_api):  # docker_api: a missing engine fails here, never skips
    bullseye = lab_factory("preflight", "bullseye")
    if not consul_leader(bullseye):
        start_consul(bullseye)
    return bullseye


@pytest.fixture
def consul_down(lab):
    stop_consul(lab)
    yield
    start_consul(lab)


@pytest.fixture
def vxlan_blocked_on_n2(lab):
    rule = "INPUT -p udp --dport 4789 -j DROP"
    assert lab.sh("n2", "iptables -I " + rule).returncode == 0
    yield
    lab.sh("n2", "iptables -D " + rule)


def preflight(lab, playbook_runner, *extra, check=False):
    return playbook_runner(PLAYBOOK, inventory=lab.inventory, extra_args=list(extra), check=check)


def test_healthy_lab_passes_every_check(lab, playbook_runner):
    proc = preflight(lab, playbook_runner)
    cells, _notes = table(proc)
    assert proc.returncode == 0 and all(cell in ("OK", "-") for row in cells.values() for cell in row.values()), proc.stdout


def test_check_mode_runs_every_probe_and_changes_nothing(lab, playbook_runner):
    proc = preflight(lab, playbook_runner, check=True)
    cells, _notes = table(proc)
    assert cells["n2"]["udp/4789"] == "OK" and re.search(r"^n1\s+: ok=\d+\s+changed=0 ", proc.stdout, re.M), proc.stdout


def test_probes_leave_nothing_on_the_hosts(lab, playbook_runner):
    preflight(lab, playbook_runner)
    leftovers = {node: lab.sh(node, "ls /tmp/cnm-preflight-*.ready; ip -o link show type vxlan").stdout.strip()
                 for node in ("n1", "n2")}
    assert leftovers == {"n1": "", "n2": ""}


def test_store_down_fails_the_store_check_naming_the_url(lab, consul_down, playbook_runner):
    proc = preflight(lab, playbook_runner, *FAST)
    _cells, notes = table(proc)
    url = "http://%s:8500/v1/status/leader" % lab.address("kv")
    assert [notes.get((host, "store"), "").startswith(url) for host in ("n1", "n2")] == [True, True], proc.stdout


def test_subnet_overlapping_the_underlay_is_named(lab, playbook_runner):
    underlay = lab.address("kv").rsplit(".", 1)[0] + ".0/26"
    proc = preflight(lab, playbook_runner, "-e", "preflight_subnets=%s" % underlay, *FAST)
    _cells, notes = table(proc)
    assert "%s overlaps address" % underlay in notes.get(("n1", "subnets"), ""), proc.stdout


def test_missing_advertise_interface_is_named(lab, playbook_runner):
    proc = preflight(lab, playbook_runner, "-e", "cnm_overlay_advertise_interface=ens9", *FAST)
    _cells, notes = table(proc)
    assert notes.get(("n2", "advertise"), "").startswith("ens9 is neither an interface nor an address"), proc.stdout


def test_blocked_vxlan_port_is_named_on_the_receiving_host(lab, vxlan_blocked_on_n2, playbook_runner):
    proc = preflight(lab, playbook_runner, *FAST)
    cells, notes = table(proc)
    assert (cells["n1"]["udp/4789"], notes.get(("n2", "udp/4789"), "")[:20]) == ("OK", "not reached from n1 "), proc.stdout


def test_swarm_on_engine_20_10_fails_the_engine_check(lab, playbook_runner):
    proc = preflight(lab, playbook_runner, "-e", "cnm_overlay_control_plane=swarm", *FAST)
    _cells, notes = table(proc)
    assert "older than 23.0" in notes.get(("n1", "engine"), ""), proc.stdout


def test_every_problem_is_in_the_one_failure_message(lab, playbook_runner):
    proc = preflight(lab, playbook_runner, "-e", "cnm_overlay_advertise_interface=ens9",
                     "-e", "cnm_overlay_control_plane=swarm", *FAST)
    message = re.search(r"Preflight found \d+ problem\(s\)[^\n]*", proc.stdout).group(0)
    assert ("advertise failed on n1, n2" in message and "engine failed on n1, n2" in message
            and proc.returncode != 0), proc.stdout


def test_a_failed_preflight_stops_the_plays_after_it(lab, playbook_runner):
    later_play = """
- name: A later play, as site.yml's changes come after the preflight
  hosts: docker_hosts
  gather_facts: false
  tasks:
    - name: Say that a change would run now
      ansible.builtin.debug:
        msg: LATER-PLAY-RAN
"""
    proc = playbook_runner(PLAYBOOK + later_play, inventory=lab.inventory,
                           extra_args=["-e", "cnm_overlay_control_plane=swarm"] + FAST)
    assert proc.returncode != 0 and "LATER-PLAY-RAN" not in proc.stdout, proc.stdout


MISSING_IMAGE = "cnmt-missing/check-image:never"


def test_missing_check_image_fails_on_the_check_hosts_naming_the_variable(lab, playbook_runner):
    # No registry answers in the lab: the engine can neither find the image nor its manifest.
    proc = preflight(lab, playbook_runner, "-e", "cnm_overlay_check_image=%s" % MISSING_IMAGE, *FAST)
    cells, notes = table(proc)
    assert proc.returncode != 0 and [cells[host]["image"][:4] for host in ("n1", "n2")] == ["FAIL", "FAIL"], proc.stdout
    assert notes[("n1", "image")].startswith("check image %s is not on this host and its engine cannot pull it: "
                                             % MISSING_IMAGE), notes
    assert "image failed on n1, n2: set cnm_overlay_check_image" in proc.stdout, proc.stdout


def test_site_with_a_missing_check_image_stops_before_any_change(lab, playbook_runner):
    pids = [lab.dockerd_pid(host) for host in ("n1", "n2")]
    daemon_json = [lab.sh(host, "cat /etc/docker/daemon.json 2>/dev/null").stdout for host in ("n1", "n2")]
    site = "- ansible.builtin.import_playbook: %s/playbooks/site.yml\n" % REPO
    proc = playbook_runner(site, inventory=lab.inventory,
                           extra_args=["-e", "cnm_overlay_check_image=%s" % MISSING_IMAGE] + FAST)
    assert proc.returncode != 0 and "image failed on n1, n2: set cnm_overlay_check_image" in proc.stdout, proc.stdout
    assert not re.search(r"changed=[1-9]", proc.stdout), proc.stdout
    assert [lab.dockerd_pid(host) for host in ("n1", "n2")] == pids
    assert [lab.sh(host, "cat /etc/docker/daemon.json 2>/dev/null").stdout for host in ("n1", "n2")] == daemon_json


@pytest.fixture(scope="module")
def formed_swarm(lab_factory):
    """A trixie lab whose inner engines already run a swarm with an overlay in use on both
    hosts: dockerd owns 7946 and 2377, the kernel's VXLAN socket owns 4789."""
    trixie = lab_factory("pfswarm", "trixie")
    if "active" not in trixie.sh("n1", "docker info --format '{{.Swarm.LocalNodeState}}'").stdout:
        manager = trixie.address("n1")
        steps = [
            ("n1", "docker swarm init --advertise-addr %s" % manager),
            ("n2", "docker swarm join --token %s %s:2377" % (
                trixie.sh("n1", "docker swarm join-token -q worker", check=True).stdout.strip(), manager)),
            ("n1", "docker network create -d overlay --attachable pfnet"),
            ("n1", "docker run -d --init --name pc1 --network pfnet cnm-lab/sandbox:latest sleep 3600"),
            ("n2", "docker run -d --init --name pc2 --network pfnet cnm-lab/sandbox:latest sleep 3600"),
        ]
        for node, command in steps:
            done = trixie.sh(node, command)
            assert done.returncode == 0, "%s on %s: %s" % (command, node, done.stderr)
    return trixie


def test_rerun_on_a_formed_swarm_passes(formed_swarm, playbook_runner):
    proc = playbook_runner(PLAYBOOK, inventory=formed_swarm.inventory)
    cells, _notes = table(proc)
    assert proc.returncode == 0 and cells["n1"]["tcp/2377"] == "OK" and cells["n2"]["udp/4789"] == "OK", proc.stdout


@pytest.fixture(scope="module")
def etcd_lab(lab_factory):
    """A bookworm lab with etcd 3.4 (v2 API on, as libnetwork needs) running in kv."""
    bookworm = lab_factory("pfetcd", "bookworm")
    if bookworm.sh("kv", "etcdctl endpoint health").returncode != 0:
        bookworm.sh("kv", "etcd --enable-v2=true --data-dir /tmp/etcd --listen-client-urls http://0.0.0.0:2379 "
                    "--advertise-client-urls http://%s:2379 >/tmp/etcd.log 2>&1 &" % bookworm.address("kv"))
    deadline = time.time() + 60
    while bookworm.sh("kv", "etcdctl endpoint health").returncode != 0:
        assert time.time() < deadline, "etcd never became healthy: %s" % bookworm.sh("kv", "tail /tmp/etcd.log").stdout
        time.sleep(1)
    return bookworm


def test_etcd_store_with_the_v2_api_passes_the_store_check(etcd_lab, playbook_runner):
    proc = playbook_runner(PLAYBOOK, inventory=etcd_lab.inventory, extra_args=["-e", "cnm_overlay_kv_store=etcd"])
    cells, _notes = table(proc)
    assert [cells[host]["store"] for host in ("n1", "n2")] == ["OK", "OK"], proc.stdout


@pytest.fixture
def converged_site(lab_factory, playbook_runner):
    """A bullseye lab after site.yml: Consul, dockerd with the cluster store (gossip bound to the
    advertise address), the overlay `multi` with c1 and c2 (the kernel's VXLAN socket on 4789)."""
    bullseye = lab_factory("pfsite", "bullseye")
    site = playbook_runner("- name: The site\n  ansible.builtin.import_playbook: %s\n" % (REPO / "playbooks" / "site.yml"),
                           inventory=bullseye.inventory)
    assert site.returncode == 0, site.stdout + site.stderr
    return bullseye


def test_rerun_after_site_converged_in_kv_mode_passes(converged_site, playbook_runner):
    proc = playbook_runner(PLAYBOOK, inventory=converged_site.inventory)
    cells, _notes = table(proc)
    assert proc.returncode == 0 and cells["n2"]["udp/7946"] == "OK" and cells["n2"]["udp/4789"] == "OK", proc.stdout
