"""Faults in swarm mode, on one trixie lab (`fault-swarm`; n1 the manager, n2 a worker), in order:

- a run whose --limit leaves out a docker host stops before any change (the swarm needs them all);
- the manager's engine restarts (through its service): once it is back a re-run of site.yml
  converges and the overlay check passes;
- the worker is lost (its lab container removed): the swarm shows it down; playbooks/remove_host.yml
  removes its node; the worker rebuilt, a re-run joins it to the swarm again and the check passes.
"""

import subprocess

import pytest

from cnm_test_runner import REPO, run_playbook, wait_for

LAB = "fault-swarm"
SITE = "- ansible.builtin.import_playbook: %s/playbooks/site.yml\n" % REPO
REMOVE_HOST = "- ansible.builtin.import_playbook: %s/playbooks/remove_host.yml\n" % REPO


@pytest.fixture(scope="module")
def lab(lab_factory):
    return lab_factory(LAB, "trixie")


def swarm_nodes(lab):
    """{hostname: [status, ...]} as the manager lists the swarm's nodes."""
    nodes = {}
    listing = lab.sh("n1", "docker node ls --format '{{.Hostname}} {{.Status}}'", check=True).stdout
    for line in listing.splitlines():
        hostname, status = line.split()
        nodes.setdefault(hostname, []).append(status)
    return nodes


@pytest.fixture(scope="module")
def converged(lab):
    return run_playbook(SITE, inventory=lab.inventory)


def test_swarm_converges(converged, overlay_passed):
    assert converged.returncode == 0, converged.stdout[-3000:]
    assert overlay_passed(converged), converged.stdout[-3000:]


def test_limit_leaving_out_a_docker_host_stops_before_any_change(lab, converged, flat, changed_count):
    result = run_playbook(SITE, inventory=lab.inventory, extra_args=["--limit", "n2"])
    assert result.returncode != 0 and changed_count(result.stdout) == 0
    assert "Swarm mode: site.yml needs every docker host in the run, and --limit leaves out n1" in flat(result)


@pytest.fixture(scope="module")
def manager_restarted(lab, converged):
    before = lab.dockerd_pid("n1")
    lab.sh("n1", "service docker restart", check=True, timeout=180)
    wait_for("the manager's engine answering", lambda: lab.sh("n1", "docker info --format '{{.Swarm.ControlAvailable}}'")
             .stdout.strip() == "true", 60)
    return before, run_playbook(SITE, inventory=lab.inventory)


def test_manager_engine_was_restarted(lab, manager_restarted):
    assert lab.dockerd_pid("n1") not in ("", manager_restarted[0])


def test_rerun_after_a_manager_restart_converges(manager_restarted, overlay_passed):
    result = manager_restarted[1]
    assert result.returncode == 0, result.stdout[-3000:]
    assert overlay_passed(result), result.stdout[-3000:]


@pytest.fixture(scope="module")
def worker_lost(lab, manager_restarted):
    subprocess.run(["docker", "rm", "--force", lab.container("n2")], capture_output=True, check=True)
    wait_for("the swarm to see n2 down", lambda: "Down" in swarm_nodes(lab).get("n2", []), 90)
    return swarm_nodes(lab)


def test_swarm_sees_the_lost_worker_down(worker_lost):
    assert worker_lost["n2"] == ["Down"]


@pytest.fixture(scope="module")
def lost_removed(lab, worker_lost):
    return run_playbook(REMOVE_HOST, inventory=lab.inventory, extra_args=["-e", "cnm_overlay_lost_hosts=n2"])


def test_remove_host_removes_the_lost_node(lab, lost_removed):
    assert lost_removed.returncode == 0, lost_removed.stdout[-3000:]
    assert "n2" not in swarm_nodes(lab)


@pytest.fixture(scope="module")
def worker_rebuilt(lab, lost_removed):
    lab.rebuild()
    return run_playbook(SITE, inventory=lab.inventory)


def test_rebuilt_worker_rejoins_and_the_check_passes(worker_rebuilt, overlay_passed):
    assert worker_rebuilt.returncode == 0, worker_rebuilt.stdout[-3000:]
    assert overlay_passed(worker_rebuilt), worker_rebuilt.stdout[-3000:]


def test_rebuilt_worker_is_a_ready_node_of_the_swarm(lab, worker_rebuilt):
    assert swarm_nodes(lab)["n2"] == ["Ready"]
    assert lab.docker_info("n2")["Swarm"]["LocalNodeState"] == "active"
