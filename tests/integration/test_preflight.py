"""The preflight role against a bullseye lab (kv, n1, n2) with Consul running in kv.

Each test breaks one thing (or nothing), runs playbooks/preflight.yml and reads the table:
one observable fact per test. Uses its own lab name (CNM_PREFLIGHT_LAB, default preflight)."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
LAB_TOOL = REPO / "lab" / "cnm_lab.py"
LAB_NAME = os.environ.get("CNM_PREFLIGHT_LAB", "preflight")
PLAYBOOK = (REPO / "playbooks" / "preflight.yml").read_text(encoding="utf-8")
# Blocked ports make a listener wait its whole timeout: keep it short here.
FAST = ["-e", "preflight_probe_timeout=5"]
CONSUL_PID = "/tmp/cnm-preflight-consul.pid"


def lab_tool(*args):
    return subprocess.run([sys.executable, str(LAB_TOOL), *args], capture_output=True, text=True,
                          timeout=1800, check=False)


def in_node(node, *command):
    return subprocess.run(["docker", "exec", "cnm-%s-%s" % (LAB_NAME, node), *command],
                          capture_output=True, text=True, timeout=120, check=False)


def consul_leader():
    proc = in_node("kv", "python3", "-c", "import urllib.request as u; "
                   "print(u.urlopen('http://127.0.0.1:8500/v1/status/leader', timeout=2).read().decode())")
    return proc.stdout.strip().strip('"') if proc.returncode == 0 else ""


def start_consul(address):
    in_node("kv", "sh", "-c", "consul agent -server -bootstrap-expect 1 -client 0.0.0.0 -bind %s "
            "-data-dir /tmp/consul -pid-file %s >/tmp/consul.log 2>&1 &" % (address, CONSUL_PID))
    deadline = time.time() + 60
    while not consul_leader():
        assert time.time() < deadline, "consul elected no leader: %s" % in_node("kv", "tail", "/tmp/consul.log").stdout
        time.sleep(1)


def stop_consul():
    in_node("kv", "sh", "-c", "kill $(cat %s) && while kill -0 $(cat %s) 2>/dev/null; do sleep 0.2; done"
            % (CONSUL_PID, CONSUL_PID))


@pytest.fixture(scope="module")
def lab(docker_api):  # docker_api: a missing engine fails here, never skips
    proc = lab_tool("up", "--lab", LAB_NAME, "--generation", "bullseye")
    assert proc.returncode == 0, "lab up failed:\n%s%s" % (proc.stdout, proc.stderr)
    inventory = lab_tool("inventory", "--lab", LAB_NAME).stdout.strip()
    hosts = yaml.safe_load(Path(inventory).read_text(encoding="utf-8"))["all"]["children"]
    kv_address = hosts["kv_store"]["hosts"]["kv"]["ansible_host"]
    start_consul(kv_address)
    yield {"inventory": inventory, "kv": kv_address}
    if not os.environ.get("CNM_KEEP_LAB"):
        lab_tool("down", "--lab", LAB_NAME)


@pytest.fixture
def consul_down(lab):
    stop_consul()
    yield
    start_consul(lab["kv"])


@pytest.fixture
def vxlan_blocked_on_n2(lab):
    rule = ["INPUT", "-p", "udp", "--dport", "4789", "-j", "DROP"]
    assert in_node("n2", "iptables", "-I", *rule).returncode == 0
    yield
    in_node("n2", "iptables", "-D", *rule)


def preflight(lab, playbook_runner, *extra, check=False):
    return playbook_runner(PLAYBOOK, inventory=lab["inventory"], extra_args=list(extra), check=check)


def table(proc):
    """{host: {check: cell}} and {(host, check): reason} from the printed preflight table."""
    lines = [line.strip() for line in proc.stdout.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("Preflight (control plane"))
    header = [cell.strip() for cell in lines[start + 1].split("|")]
    cells, notes = {}, {}
    for line in lines[start + 3:]:
        if re.match(r"^n\d+\s+\|", line):
            row = [cell.strip() for cell in line.split("|")]
            cells[row[0]] = dict(zip(header[1:], row[1:]))
        elif re.match(r"^\[\d+\] ", line):
            match = re.match(r"^\[\d+\] (\S+) (\S+): (.*)$", line)
            notes[(match.group(1), match.group(2))] = match.group(3)
        else:
            break
    return cells, notes


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
    leftovers = {node: in_node(node, "sh", "-c", "ls /tmp/cnm-preflight-*.ready; ip -o link show type vxlan").stdout.strip()
                 for node in ("n1", "n2")}
    assert leftovers == {"n1": "", "n2": ""}


def test_store_down_fails_the_store_check_naming_the_url(lab, consul_down, playbook_runner):
    proc = preflight(lab, playbook_runner, *FAST)
    _cells, notes = table(proc)
    url = "http://%s:8500/v1/status/leader" % lab["kv"]
    assert [notes.get((host, "store"), "").startswith(url) for host in ("n1", "n2")] == [True, True], proc.stdout


def test_subnet_overlapping_the_underlay_is_named(lab, playbook_runner):
    underlay = lab["kv"].rsplit(".", 1)[0] + ".0/26"
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


SWARM_LAB = os.environ.get("CNM_PREFLIGHT_SWARM_LAB", "pfswarm")


def in_swarm_node(node, *command):
    return subprocess.run(["docker", "exec", "cnm-%s-%s" % (SWARM_LAB, node), *command],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def formed_swarm(docker_api):
    """A trixie lab whose inner engines already run a swarm with an overlay in use on both
    hosts: dockerd owns 7946 and 2377, the kernel's VXLAN socket owns 4789."""
    proc = lab_tool("up", "--lab", SWARM_LAB, "--generation", "trixie")
    assert proc.returncode == 0, "lab up failed:\n%s%s" % (proc.stdout, proc.stderr)
    inventory = lab_tool("inventory", "--lab", SWARM_LAB).stdout.strip()
    hosts = yaml.safe_load(Path(inventory).read_text(encoding="utf-8"))["all"]["children"]["docker_hosts"]["hosts"]
    manager = hosts["n1"]["ansible_host"]
    def run(node, *command):
        done = in_swarm_node(node, *command)
        assert done.returncode == 0, "%s on %s: %s" % (command, node, done.stderr)
        return done.stdout.strip()

    run("n1", "docker", "swarm", "init", "--advertise-addr", manager)
    run("n2", "docker", "swarm", "join", "--token", run("n1", "docker", "swarm", "join-token", "-q", "worker"), manager + ":2377")
    run("n1", "docker", "network", "create", "-d", "overlay", "--attachable", "pfnet")
    for node, name in (("n1", "pc1"), ("n2", "pc2")):
        run(node, "docker", "run", "-d", "--init", "--name", name, "--network", "pfnet", "cnm-lab/sandbox:latest", "sleep", "3600")
    yield {"inventory": inventory}
    if not os.environ.get("CNM_KEEP_LAB"):
        lab_tool("down", "--lab", SWARM_LAB)


def test_rerun_on_a_formed_swarm_passes(formed_swarm, playbook_runner):
    proc = playbook_runner(PLAYBOOK, inventory=formed_swarm["inventory"])
    cells, _notes = table(proc)
    assert proc.returncode == 0 and cells["n1"]["tcp/2377"] == "OK" and cells["n2"]["udp/4789"] == "OK", proc.stdout
