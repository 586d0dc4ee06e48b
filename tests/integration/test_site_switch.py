"""site.yml switching hosts from kv to swarm mode: engines of Docker 23 and newer (a trixie lab)
whose daemon.json still holds kv mode's cluster-store keys, as after an engine upgrade."""

import json

import pytest

from cnm_test_runner import REPO

SITE = "- ansible.builtin.import_playbook: %s/playbooks/site.yml\n" % REPO

# What an upgraded kv-mode host looks like: the keys of kv mode (live-restore too, which swarm
# mode refuses), and one setting of its own.
LEFTOVER = {"cluster-store": "etcd://kv:2379", "cluster-advertise": "eth0:2376", "live-restore": True,
            "log-level": "info"}


@pytest.fixture(scope="module")
def lab(lab_factory):
    lab = lab_factory("site-switch", "trixie")
    for node in ("n1", "n2"):
        lab.sh(node, "cat > /etc/docker/daemon.json <<'EOF'\n%s\nEOF" % json.dumps(LEFTOVER), check=True)
    # n1's engine was restarted after the upgrade: it refuses to start with those keys.
    lab.sh("n1", "service docker restart", check=False)
    return lab


def daemon_json(lab, node):
    return lab.sh(node, "cat /etc/docker/daemon.json", check=True).stdout


@pytest.fixture
def before(lab, once):
    if "before" not in once:
        once["before"] = {node: daemon_json(lab, node) for node in ("n1", "n2")}
    return once["before"]


@pytest.fixture(scope="module")
def once():
    return {}


@pytest.fixture
def planned(lab, before, play_once):
    return play_once("check", SITE, lab.inventory, extra_args=["--diff"], check=True)


@pytest.fixture
def converged(lab, planned, play_once):
    return play_once("converge", SITE, lab.inventory)


@pytest.fixture
def second_run(lab, converged, play_once):
    return play_once("second", SITE, lab.inventory)


def test_check_mode_prints_the_switch_plan(planned, flat):
    assert planned.returncode == 0, planned.stdout[-3000:]
    assert "kv -> swarm switch: remove cluster-advertise, cluster-store, live-restore from /etc/docker/daemon.json" in flat(planned)


def test_check_mode_names_the_engines_it_would_restart(planned, flat):
    assert "The engine on n1 would be restarted" in flat(planned)


def test_check_mode_changes_no_daemon_json(lab, planned, before):
    assert {node: daemon_json(lab, node) for node in ("n1", "n2")} == before


def test_switch_converges_and_the_overlay_check_passes(converged, flat):
    assert converged.returncode == 0, converged.stdout[-3000:]
    assert "overlay_check: 6 checks on multi passed" in flat(converged)


def test_switch_removes_only_the_cluster_store_keys(lab, converged):
    assert json.loads(daemon_json(lab, "n2")) == {"log-level": "info"}


def test_switched_engines_are_in_the_swarm(lab, converged):
    assert [lab.docker_info(node)["Swarm"]["LocalNodeState"] for node in ("n1", "n2")] == ["active", "active"]


def test_network_is_made_anew_as_a_swarm_overlay(lab, converged):
    assert lab.sh("n2", "docker network inspect -f '{{.Scope}}' multi", check=True).stdout.strip() == "swarm"


def test_second_run_changes_nothing(second_run, changed_count):
    assert second_run.returncode == 0, second_run.stdout[-3000:]
    assert changed_count(second_run.stdout) == 0
